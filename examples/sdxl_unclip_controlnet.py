"""SDXL with two unCLIP image prompts and a scribble ControlNet (the first seed prompt, as Python).

HEDPreprocessor and ScribblePreprocessor come from the comfyui_controlnet_aux node pack, whose
definitions ship with comfydsl (nodes_catalog/packs/): `use_packs` enables it before its classes
are imported (COMFYDSL_PACKS=controlnet_aux would too, for every script).

    comfydsl compile examples/sdxl_unclip_controlnet.py
"""

from comfydsl.catalog import use_packs

use_packs("controlnet_aux")

from comfydsl.nodes import (  # noqa: E402  (after use_packs, which makes the pack importable)
    CheckpointLoaderSimple,
    CLIPTextEncode,
    CLIPVisionEncode,
    CLIPVisionLoader,
    ConditioningZeroOut,
    ControlNetApply,
    ControlNetLoader,
    EmptyLatentImage,
    HEDPreprocessor,
    KSampler,
    LoadImage,
    PreviewImage,
    SaveImage,
    ScribblePreprocessor,
    VAEDecode,
    unCLIPConditioning,
)

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
# The original has a HED node with no image, left unconnected: the server skips it, and a type
# checker rightly says that its image is missing.
HEDPreprocessor(safe="enable")  # type: ignore[call-arg]
PreviewImage(images=HEDPreprocessor(safe="enable", image=mask.IMAGE))
scribble = ScribblePreprocessor(image=mask.IMAGE)
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
