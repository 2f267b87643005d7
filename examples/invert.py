"""Needs no model file: a grey image, inverted, saved. Runs on any ComfyUI, even on a CPU.

comfydsl run examples/invert.py --server http://127.0.0.1:8188 --out results/
"""

from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage

grey = EmptyImage(width=64, height=64, batch_size=1, color=0x404040)
SaveImage(images=ImageInvert(image=grey), filename_prefix="comfydsl_invert")
