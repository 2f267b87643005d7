"""Text to image with SDXL: the smallest complete workflow.

comfydsl compile examples/txt2img.py
comfydsl run examples/txt2img.py --server http://127.0.0.1:8188 --out results/
"""

from comfydsl.nodes import (
    CheckpointLoaderSimple,
    CLIPTextEncode,
    EmptyLatentImage,
    KSampler,
    SaveImage,
    VAEDecode,
)

ckpt = CheckpointLoaderSimple(ckpt_name="sd_xl_base_1.0.safetensors")
pos = CLIPTextEncode(text="a lighthouse at dusk", clip=ckpt.CLIP)
neg = CLIPTextEncode(text="blurry", clip=ckpt.CLIP)
latent = EmptyLatentImage(width=1024, height=1024)
samples = KSampler(
    model=ckpt.MODEL,
    positive=pos,
    negative=neg,
    latent_image=latent,
    seed=42,
    steps=26,
    cfg=5.0,
    sampler_name="dpmpp_3m_sde_gpu",
    scheduler="karras",
)
SaveImage(images=VAEDecode(samples=samples, vae=ckpt.VAE), filename_prefix="lighthouse")
