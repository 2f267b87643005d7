"""Stable Video Diffusion: one image to a 14-frame GIF (the second seed prompt, as Python).

VHS_VideoCombine comes from the ComfyUI-VideoHelperSuite node pack, whose definition ships with
comfydsl (nodes_catalog/packs/): `use_packs` enables it before its classes are imported
(COMFYDSL_PACKS=vhs would too, for every script). The titles are those of a Chinese-language editor.

    comfydsl compile examples/svd_img2vid.py
"""

from comfydsl.catalog import use_packs

use_packs("vhs")

from comfydsl.nodes import (  # noqa: E402  (after use_packs, which makes the pack importable)
    ImageOnlyCheckpointLoader,
    KSampler,
    LoadImage,
    SVD_img2vid_Conditioning,
    VAEDecode,
    VHS_VideoCombine,
    VideoLinearCFGGuidance,
)

svd = ImageOnlyCheckpointLoader(
    ckpt_name="svd_xt_1_1.safetensors", title="Checkpoint加载器(仅图像)"
)
image = LoadImage(
    image="C:\\Users\\dourungeng\\Pictures\\elephant1.png [input]",
    extra_inputs={"upload": "image"},
    title="加载图像",
)
conditioning = SVD_img2vid_Conditioning(
    clip_vision=svd.CLIP_VISION,
    init_image=image.IMAGE,
    vae=svd.VAE,
    width=1024,
    height=576,
    video_frames=14,
    motion_bucket_id=32,
    fps=6,
    augmentation_level=0,
    title="SVD_图像到视频_条件",
)
model = VideoLinearCFGGuidance(model=svd.MODEL, min_cfg=1, title="线性CFG引导")
frames = KSampler(
    model=model,
    positive=conditioning.positive,
    negative=conditioning.negative,
    latent_image=conditioning.latent,
    seed=0,
    steps=20,
    cfg=2.5,
    sampler_name="euler",
    scheduler="karras",
    denoise=1,
    title="K采样器",
)
VHS_VideoCombine(
    images=VAEDecode(samples=frames, vae=svd.VAE, title="VAE解码"),
    frame_rate=6,
    loop_count=0,
    filename_prefix="SVD_img2vid",
    format="image/gif",
    pingpong=False,
    save_output=True,
    title="合并为视频",
)
