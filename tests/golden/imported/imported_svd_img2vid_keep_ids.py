# A comfydsl workflow of 7 nodes, imported from tests/data/seeds/svd_img2vid.api.json.
# Made by: comfydsl import tests/data/seeds/svd_img2vid.api.json -o tests/golden/imported/imported_svd_img2vid_keep_ids.py --keep-ids
# Compiled (comfydsl compile), it gives back the same prompt, with the same node ids.

from comfydsl.catalog import use_packs

use_packs("vhs")

from comfydsl.nodes import (  # noqa: E402  (after use_packs, which makes the packs importable)
    ImageOnlyCheckpointLoader,
    KSampler,
    LoadImage,
    SVD_img2vid_Conditioning,
    VAEDecode,
    VHS_VideoCombine,
    VideoLinearCFGGuidance,
)

image_only_checkpoint_loader = ImageOnlyCheckpointLoader(
    ckpt_name="svd_xt_1_1.safetensors",
    title="Checkpoint加载器(仅图像)",
    id=15,
)
video_linear_cfg_guidance = VideoLinearCFGGuidance(
    model=image_only_checkpoint_loader.MODEL,
    title="线性CFG引导",
    id=14,
)
load_image = LoadImage(
    image="C:\\Users\\dourungeng\\Pictures\\elephant1.png [input]",
    extra_inputs={"upload": "image"},
    title="加载图像",
    id=23,
)
svd_img2vid_conditioning = SVD_img2vid_Conditioning(
    motion_bucket_id=32,
    clip_vision=image_only_checkpoint_loader.CLIP_VISION,
    init_image=load_image.IMAGE,
    vae=image_only_checkpoint_loader.VAE,
    title="SVD_图像到视频_条件",
    id=12,
)
ksampler = KSampler(
    cfg=2.5,
    scheduler="karras",
    model=video_linear_cfg_guidance.MODEL,
    positive=svd_img2vid_conditioning.positive,
    negative=svd_img2vid_conditioning.negative,
    latent_image=svd_img2vid_conditioning.latent,
    title="K采样器",
    id=3,
)
vae_decode = VAEDecode(
    samples=ksampler.LATENT,
    vae=image_only_checkpoint_loader.VAE,
    title="VAE解码",
    id=8,
)
VHS_VideoCombine(
    frame_rate=6,
    filename_prefix="SVD_img2vid",
    images=vae_decode.IMAGE,
    title="合并为视频",
    id=24,
)
