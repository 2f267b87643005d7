# A comfydsl workflow of 21 nodes, imported from tests/data/seeds/sdxl_unclip_controlnet.api.json.
# Made by: comfydsl import tests/data/seeds/sdxl_unclip_controlnet.api.json -o tests/golden/imported/imported_sdxl_unclip_controlnet.py
# Compiled (comfydsl compile), it gives back the same prompt, with its nodes numbered 1, 2, ... in order.

from comfydsl import unchecked_node
from comfydsl.catalog import use_packs

use_packs("controlnet_aux")

from comfydsl.nodes import (  # noqa: E402  (after use_packs, which makes the packs importable)
    CheckpointLoaderSimple,
    CLIPTextEncode,
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

empty_latent_image = EmptyLatentImage(width=1024, height=768)
load_image = LoadImage(
    image="clipspace/clipspace-mask-1645940.7000000002.png [input]",
    extra_inputs={"choose file to upload": "image"},
)
load_image_2 = LoadImage(image="beijing1 (2).webp", extra_inputs={"choose file to upload": "image"})
clip_vision_loader = CLIPVisionLoader(clip_name="clip_vision_g.safetensors")
# As exported, unchecked: a call would add 'crop' = 'center', which the node leaves out
clip_vision_encode = unchecked_node(
    "CLIPVisionEncode",
    {
        "clip_vision": clip_vision_loader.CLIP_VISION,
        "image": load_image.IMAGE,
    },
)
# As exported, unchecked: a call would add 'crop' = 'center', which the node leaves out
clip_vision_encode_2 = unchecked_node(
    "CLIPVisionEncode",
    {
        "clip_vision": clip_vision_loader.CLIP_VISION,
        "image": load_image_2.IMAGE,
    },
)
checkpoint_loader_simple = CheckpointLoaderSimple(ckpt_name="sd_xl_base_1.0.safetensors")
clip_text_encode = CLIPTextEncode(text="", clip=checkpoint_loader_simple.CLIP)
conditioning_zero_out = ConditioningZeroOut(conditioning=clip_text_encode.CONDITIONING)
un_clip_conditioning = unCLIPConditioning(
    conditioning=conditioning_zero_out.CONDITIONING,
    clip_vision_output=clip_vision_encode.out.CLIP_VISION_OUTPUT,
)
un_clip_conditioning_2 = unCLIPConditioning(
    strength=0.75,
    conditioning=un_clip_conditioning.CONDITIONING,
    clip_vision_output=clip_vision_encode_2.out.CLIP_VISION_OUTPUT,
)
hed_preprocessor = HEDPreprocessor(safe="enable", image=load_image.IMAGE)
PreviewImage(images=hed_preprocessor.IMAGE)
control_net_loader = ControlNetLoader(control_net_name="control-lora-depth-rank256.safetensors")
scribble_preprocessor = ScribblePreprocessor(image=load_image.IMAGE)
PreviewImage(images=scribble_preprocessor.IMAGE)
control_net_apply = ControlNetApply(
    strength=0.5,
    conditioning=un_clip_conditioning_2.CONDITIONING,
    control_net=control_net_loader.CONTROL_NET,
    image=scribble_preprocessor.IMAGE,
)
ksampler = KSampler(
    seed=764714814161513,
    steps=26,
    cfg=5,
    sampler_name="dpmpp_3m_sde_gpu",
    scheduler="karras",
    model=checkpoint_loader_simple.MODEL,
    positive=control_net_apply.CONDITIONING,
    negative=clip_text_encode.CONDITIONING,
    latent_image=empty_latent_image.LATENT,
)
vae_decode = VAEDecode(samples=ksampler.LATENT, vae=checkpoint_loader_simple.VAE)
SaveImage(images=vae_decode.IMAGE)

# As exported, unchecked: it lacks the required 'image', which a call needs (and compiling, where the server would run the node)
unchecked_node("HEDPreprocessor", {"safe": "enable"})
