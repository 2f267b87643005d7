"""SDXL with two unCLIP image prompts and a scribble ControlNet (the first seed prompt, as Python).

HEDPreprocessor and ScribblePreprocessor come from the comfyui_controlnet_aux node pack: their
definitions are in catalogs/controlnet_aux-vhs.json (what `comfydsl catalog pull` saves from a
server that has the pack).

    comfydsl compile examples/sdxl_unclip_controlnet.py
"""

from pathlib import Path

from comfydsl.catalog import load_catalog
from comfydsl.nodes import (
    CheckpointLoaderSimple,
    CLIPTextEncode,
    CLIPVisionEncode,
    CLIPVisionLoader,
    ConditioningZeroOut,
    ControlNetApply,
    ControlNetLoader,
    EmptyLatentImage,
    KSampler,
    LoadImage,
    PreviewImage,
    SaveImage,
    VAEDecode,
    from_catalog,
    unCLIPConditioning,
)

packs = from_catalog(load_catalog(Path(__file__).parent / "catalogs" / "controlnet_aux-vhs.json"))

# The editor of the day sent its upload button as an input; the server ignores it.
UPLOAD_BUTTON = {"choose file to upload": "image"}

ckpt = CheckpointLoaderSimple(ckpt_name="sd_xl_base_1.0.safetensors")
clip_vision = CLIPVisionLoader(clip_name="clip_vision_g.safetensors")
mask = LoadImage(
    image="clipspace/clipspace-mask-1645940.7000000002.png [input]", extra_inputs=UPLOAD_BUTTON
)
photo = LoadImage(image="beijing1 (2).webp", extra_inputs=UPLOAD_BUTTON)

# The prompt is the images: the text conditioning is zeroed and carries two unCLIP embeddings.
empty_text = CLIPTextEncode(text="", clip=ckpt.CLIP)
cond = unCLIPConditioning(
    conditioning=ConditioningZeroOut(conditioning=empty_text),
    clip_vision_output=CLIPVisionEncode(clip_vision=clip_vision, image=mask.IMAGE),
    strength=1,
    noise_augmentation=0,
)
cond = unCLIPConditioning(
    conditioning=cond,
    clip_vision_output=CLIPVisionEncode(clip_vision=clip_vision, image=photo.IMAGE),
    strength=0.75,
    noise_augmentation=0,
)

# Two preprocessors to look at; the scribble one also steers the sampler.
packs.HEDPreprocessor(safe="enable")  # left unconnected in the original: the server skips it
PreviewImage(images=packs.HEDPreprocessor(safe="enable", image=mask.IMAGE))
scribble = packs.ScribblePreprocessor(image=mask.IMAGE)
PreviewImage(images=scribble)
cond = ControlNetApply(
    conditioning=cond,
    control_net=ControlNetLoader(control_net_name="control-lora-depth-rank256.safetensors"),
    image=scribble,
    strength=0.5,
)

samples = KSampler(
    model=ckpt.MODEL,
    positive=cond,
    negative=empty_text,
    latent_image=EmptyLatentImage(width=1024, height=768, batch_size=1),
    seed=764714814161513,
    steps=26,
    cfg=5,
    sampler_name="dpmpp_3m_sde_gpu",
    scheduler="karras",
)
SaveImage(images=VAEDecode(samples=samples, vae=ckpt.VAE), filename_prefix="ComfyUI")
