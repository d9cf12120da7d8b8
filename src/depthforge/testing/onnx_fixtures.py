#!/usr/bin/env python3
"""ONNX graphs for the importer's tests, each with an input and the output an
independent computation gives for it.

Usage: onnx_fixtures.py OUT_DIR [--bench]
       onnx_fixtures.py --time THREADS RUNS

For every case NAME it writes NAME.onnx, NAME.input.npy and NAME.expected.npy
(float32). Two sources of graphs:
  - PyTorch modules exported by torch.onnx.export at several opsets, so the
    graphs are what a real exporter writes (Clip with min/max inputs, Shape
    arithmetic, Resize in PyTorch's modes); the expected output is the
    module run eagerly in Python.
  - Graphs written node by node with onnx.helper for the attribute
    combinations no exporter here writes (asymmetric linear resize, the
    nearest rounding modes, cubic with exclude_outside, negative slice steps,
    opset-9 Clip, ...); the expected output is a NumPy implementation of the
    operator's definition in this file.
With --bench it writes, instead, MiDaS v2.1 small and Depth Anything V2 small
shaped networks with random weights (midas_small_bench.onnx at 256x256 and
depth_anything_v2_small_bench.onnx at 518x518) for bench/onnx_speed; with
--time it times PyTorch's eager run of the same networks (the peer of
bench/onnx_speed.sh).
"""
import math
import os
import struct
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)
np.random.seed(7)


def save(out_dir, name, model_bytes_or_proto, x, expected):
    path = os.path.join(out_dir, name + ".onnx")
    if isinstance(model_bytes_or_proto, onnx.ModelProto):
        output = model_bytes_or_proto.graph.output[0]
        output.CopyFrom(helper.make_tensor_value_info(output.name, TensorProto.FLOAT, list(expected.shape)))
        onnx.checker.check_model(model_bytes_or_proto)
        onnx.save(model_bytes_or_proto, path)
    np.save(os.path.join(out_dir, name + ".input.npy"), np.ascontiguousarray(x, dtype=np.float32))
    np.save(os.path.join(out_dir, name + ".expected.npy"), np.ascontiguousarray(expected, dtype=np.float32))


def export(out_dir, name, module, x, opset, dynamic=False):
    module.eval()
    with torch.no_grad():
        expected = module(x).numpy()
    path = os.path.join(out_dir, name + ".onnx")
    axes = {"input": {0: "n", 2: "h", 3: "w"}} if dynamic else None
    torch.onnx.export(module, (x,), path, opset_version=opset, input_names=["input"], output_names=["output"],
                      dynamic_axes=axes)
    onnx.checker.check_model(onnx.load(path))
    save(out_dir, name, None, x.numpy(), expected)


def randomise_batch_norms(module):
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm2d,)):
            with torch.no_grad():
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)


# ---------------------------------------------------------------- families


class ConvFamily(nn.Module):
    """Conv (strided, grouped, dilated, asymmetric padding), ConvTranspose,
    BatchNormalization, Relu, Clip (ReLU6), Sigmoid, HardSigmoid, HardSwish."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.depthwise = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8)
        self.pointwise = nn.Conv2d(8, 16, 1, bias=False)
        self.up = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)
        self.grouped = nn.Conv2d(8, 4, (3, 2), groups=2)

    def forward(self, x):
        y = F.relu6(self.bn(self.conv(x)))
        y = F.hardswish(self.depthwise(y))
        y = F.hardsigmoid(self.pointwise(y)) + torch.sigmoid(y).mean(1, keepdim=True)
        y = F.relu(self.up(y))
        y = self.grouped(F.pad(y, (0, 1, 1, 0)))
        return y


class MathFamily(nn.Module):
    """Add, Sub, Mul, Div, Pow, Sqrt, Erf, Exp, Abs, Min, Max (with constants)."""

    def forward(self, x):
        a = torch.sqrt(torch.abs(x) + 1.0) - x / 3.0
        b = torch.pow(a, 2.0) * 0.5 + torch.erf(x)
        c = torch.minimum(b, torch.tensor(1.5)) + torch.maximum(x, torch.tensor(-0.25))
        d = torch.clamp(c, min=-1.0)
        return d * torch.exp(-x * x) + torch.min(a, b) - torch.max(x, a) / 2


class DenseFamily(nn.Module):
    """MatMul, Gemm, Softmax, LayerNormalization (or its decomposition),
    ReduceMean, Transpose, Reshape, Flatten."""

    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(12)
        self.proj = nn.Linear(12, 12)
        self.head = nn.Linear(12 * 6, 5)

    def forward(self, x):  # x: N x 6 x 12
        y = self.proj(self.norm(x))
        attention = torch.softmax(y @ y.transpose(1, 2) / math.sqrt(12), dim=-1)
        y = attention @ y + y.mean(dim=2, keepdim=True)
        z = self.head(torch.flatten(y, 1))
        return z.reshape(z.shape[0], 5, 1) * y.mean(1).mean(1).view(-1, 1, 1)


class ShapeFamily(nn.Module):
    """Shape, Gather, Slice (steps, negative indices), Split, Concat,
    Squeeze, Unsqueeze, Constant, ConstantOfShape, Expand, Cast, Reshape
    from computed shapes."""

    def forward(self, x):  # N x C x H x W
        n, c, h, w = x.shape
        top, bottom = torch.split(x, [h // 2, h - h // 2], dim=2)
        y = torch.cat([bottom, top], dim=2)
        y = y[:, :, ::2, 1:-1] + y[:, :, 1::2, :-2]
        pooled = y.reshape(n, c, -1).mean(-1)  # N x C
        gate = pooled.unsqueeze(-1).unsqueeze(-1).expand(n, c, y.shape[2], y.shape[3])
        ones = torch.ones(n, 1, y.shape[2], y.shape[3])
        index = (torch.tensor(h) // 2).long()
        row = x[:, :, index, :]  # Gather
        z = torch.cat([y * gate, ones], dim=1)
        extra = row.sum().to(torch.float32) + torch.tensor(w).to(torch.float32)
        return z + extra


class ResizeFamily(nn.Module):
    def __init__(self, mode, align_corners=None, use_size=False):
        super().__init__()
        self.mode, self.align_corners, self.use_size = mode, align_corners, use_size

    def forward(self, x):
        if self.use_size:
            return F.interpolate(x, size=(x.shape[2] * 2 + 3, x.shape[3] * 3 - 1), mode=self.mode, align_corners=self.align_corners)
        return F.interpolate(x, scale_factor=2.0, mode=self.mode, align_corners=self.align_corners)


class PoolFamily(nn.Module):
    """MaxPool (ceil mode, padding), AveragePool (padding not counted),
    GlobalAveragePool, Pad (reflect, replicate, constant)."""

    def forward(self, x):
        a = F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
        b = F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        c = F.adaptive_avg_pool2d(x, 1)
        d = F.pad(a, (1, 2, 2, 1), mode="reflect") + F.pad(b, (1, 2, 2, 1), mode="replicate")
        return F.pad(d, (1, 0, 0, 1), value=0.5) * c


# ------------------------------------------------------- architectures


class SqueezeExcite(nn.Module):
    def __init__(self, channels, reduced):
        super().__init__()
        self.reduce = nn.Conv2d(channels, reduced, 1)
        self.expand = nn.Conv2d(reduced, channels, 1)

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1)
        return x * torch.sigmoid(self.expand(F.relu(self.reduce(s))))


class MBConv(nn.Module):
    """EfficientNet-Lite inverted residual: 1x1 expand, depthwise, 1x1
    project, BN after each, ReLU6 (Lite drops squeeze-excite and swish)."""

    def __init__(self, cin, cout, expand, kernel, stride):
        super().__init__()
        mid = cin * expand
        self.expand = nn.Sequential(nn.Conv2d(cin, mid, 1, bias=False), nn.BatchNorm2d(mid), nn.ReLU6()) if expand != 1 else nn.Identity()
        self.depthwise = nn.Sequential(nn.Conv2d(mid, mid, kernel, stride, kernel // 2, groups=mid, bias=False), nn.BatchNorm2d(mid), nn.ReLU6())
        self.project = nn.Sequential(nn.Conv2d(mid, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.project(self.depthwise(self.expand(x)))
        return x + y if self.residual else y


class ResidualConvUnit(nn.Module):
    def __init__(self, features):
        super().__init__()
        self.conv1 = nn.Conv2d(features, features, 3, padding=1)
        self.conv2 = nn.Conv2d(features, features, 3, padding=1)

    def forward(self, x):
        return x + self.conv2(F.relu(self.conv1(F.relu(x))))


class FeatureFusion(nn.Module):
    """RefineNet-style fusion of MiDaS and DPT: residual units, a skip, 2x
    bilinear upsampling with aligned corners, a 1x1 output convolution."""

    def __init__(self, features, out_features):
        super().__init__()
        self.unit1 = ResidualConvUnit(features)
        self.unit2 = ResidualConvUnit(features)
        self.out = nn.Conv2d(features, out_features, 1)

    def forward(self, x, skip=None):
        if skip is not None:
            x = x + self.unit1(skip)
        x = self.unit2(x)
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
        return self.out(x)


class MidasSmallLike(nn.Module):
    """The block structure of MiDaS v2.1 small: an EfficientNet-Lite3
    encoder tapped at strides 4, 8, 16, 32, 3x3 'scratch' convolutions to
    the decoder widths, four fusion blocks, and the head (conv, 2x upsample,
    conv, ReLU, conv, ReLU), squeezed to N x H x W."""

    def __init__(self, widths, stages, features, expand=True):
        super().__init__()
        stem = widths[0]
        self.stem = nn.Sequential(nn.Conv2d(3, stem, 3, 2, 1, bias=False), nn.BatchNorm2d(stem), nn.ReLU6())
        blocks, cin = [], stem
        self.taps = []
        for index, (cout, repeats, stride, kernel, expand_ratio) in enumerate(stages):
            for r in range(repeats):
                blocks.append(MBConv(cin, cout, expand_ratio, kernel, stride if r == 0 else 1))
                cin = cout
            self.taps.append(len(blocks) - 1)
        self.blocks = nn.ModuleList(blocks)
        self.tap_channels = [stages[i][0] for i in range(len(stages))]
        self.tap_stages = [1, 2, 4, 6] if len(stages) >= 7 else [0, 1, 2, 3]
        outs = [features, features * 2, features * 4, features * 8] if expand else [features] * 4
        self.scratch = nn.ModuleList(nn.Conv2d(self.tap_channels[s], outs[i], 3, padding=1, bias=False) for i, s in enumerate(self.tap_stages))
        self.fuse4 = FeatureFusion(outs[3], outs[2])
        self.fuse3 = FeatureFusion(outs[2], outs[1])
        self.fuse2 = FeatureFusion(outs[1], outs[0])
        self.fuse1 = FeatureFusion(outs[0], features)
        self.head = nn.Sequential(nn.Conv2d(features, features // 2, 3, padding=1), nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True),
                                  nn.Conv2d(features // 2, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 1, 1), nn.ReLU())

    def forward(self, x):
        x = self.stem(x)
        taps = []
        stage_ends = set(self.taps[s] for s in self.tap_stages)
        for i, block in enumerate(self.blocks):
            x = block(x)
            if i in stage_ends:
                taps.append(x)
        l1, l2, l3, l4 = [conv(t) for conv, t in zip(self.scratch, taps)]
        p4 = self.fuse4(l4)
        p3 = self.fuse3(p4, l3)
        p2 = self.fuse2(p3, l2)
        p1 = self.fuse1(p2, l1)
        return self.head(p1).squeeze(1)


class VitBlock(nn.Module):
    """A DINOv2 block: pre-norm attention and MLP (GELU, exported as Erf),
    each scaled by LayerScale."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        self.scale1 = nn.Parameter(torch.rand(dim) * 0.5 + 0.5)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = nn.Linear(dim, dim * 4)
        self.fc2 = nn.Linear(dim * 4, dim)
        self.scale2 = nn.Parameter(torch.rand(dim) * 0.5 + 0.5)

    def forward(self, x):
        n, t, c = x.shape
        qkv = self.qkv(self.norm1(x)).reshape(n, t, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attention = torch.softmax((q * (c // self.heads) ** -0.5) @ k.transpose(-2, -1), dim=-1)
        y = (attention @ v).transpose(1, 2).reshape(n, t, c)
        x = x + self.scale1 * self.proj(y)
        return x + self.scale2 * self.fc2(F.gelu(self.fc1(self.norm2(x))))


class DepthAnythingLike(nn.Module):
    """The structure of Depth Anything V2 small: a ViT (DINOv2-S/14: patch
    embedding, class token, position embedding interpolated bicubically to
    the input's patch grid, pre-norm blocks) tapped at four depths, and a
    DPT head: tokens back to maps, 1x1 projections, reassembly to strides
    4, 8, 16, 32 (transposed convs / a strided conv), 3x3 convs to the
    fusion width, four fusion blocks, the output head with an upsampling to
    the input size and ReLUs."""

    def __init__(self, dim, depth, heads, taps, widths, features, patch=14, grid=4):
        super().__init__()
        self.patch, self.grid, self.taps = patch, grid, taps
        self.embed = nn.Conv2d(3, dim, patch, patch)
        self.cls = nn.Parameter(torch.randn(1, 1, dim) * 0.1)
        self.position = nn.Parameter(torch.randn(1, grid * grid + 1, dim) * 0.1)
        self.blocks = nn.ModuleList(VitBlock(dim, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.project = nn.ModuleList(nn.Conv2d(dim, w, 1) for w in widths)
        self.resize = nn.ModuleList([nn.ConvTranspose2d(widths[0], widths[0], 4, 4), nn.ConvTranspose2d(widths[1], widths[1], 2, 2),
                                     nn.Identity(), nn.Conv2d(widths[3], widths[3], 3, 2, 1)])
        self.scratch = nn.ModuleList(nn.Conv2d(w, features, 3, padding=1, bias=False) for w in widths)
        self.fuse = nn.ModuleList(FeatureFusion(features, features) for _ in range(4))
        self.head = nn.Sequential(nn.Conv2d(features, features // 2, 3, padding=1))
        self.head_out = nn.Sequential(nn.Conv2d(features // 2, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 1, 1), nn.ReLU())

    def positions(self, h, w):
        cls_pos, grid_pos = self.position[:, :1], self.position[:, 1:]
        dim = grid_pos.shape[-1]
        grid_pos = grid_pos.reshape(1, self.grid, self.grid, dim).permute(0, 3, 1, 2)
        grid_pos = F.interpolate(grid_pos, size=(h, w), mode="bicubic", align_corners=False)
        return torch.cat([cls_pos, grid_pos.permute(0, 2, 3, 1).reshape(1, h * w, dim)], dim=1)

    def forward(self, x):
        height, width = x.shape[2], x.shape[3]
        gh, gw = height // self.patch, width // self.patch
        tokens = self.embed(x).flatten(2).transpose(1, 2)
        tokens = torch.cat([self.cls.expand(x.shape[0], -1, -1), tokens], dim=1) + self.positions(gh, gw)
        features = []
        for i, block in enumerate(self.blocks):
            tokens = block(tokens)
            if i in self.taps:
                features.append(self.norm(tokens)[:, 1:])
        maps = []
        for i, f in enumerate(features):
            m = f.transpose(1, 2).reshape(f.shape[0], f.shape[2], gh, gw)
            maps.append(self.scratch[i](self.resize[i](self.project[i](m))))
        p = self.fuse[3](maps[3])
        p = F.interpolate(p, size=maps[2].shape[2:], mode="bilinear", align_corners=True)
        p = self.fuse[2](p, maps[2])
        p = F.interpolate(p, size=maps[1].shape[2:], mode="bilinear", align_corners=True)
        p = self.fuse[1](p, maps[1])
        p = F.interpolate(p, size=maps[0].shape[2:], mode="bilinear", align_corners=True)
        p = self.fuse[0](p, maps[0])
        y = self.head(p)
        y = F.interpolate(y, size=(height, width), mode="bilinear", align_corners=True)
        return self.head_out(y).squeeze(1)


# ------------------------------------------------ hand-written graphs


def np_resize_axis(x, axis, out, scale, mode, transform, nearest_mode, a, exclude_outside):
    n = x.shape[axis]
    result = []
    for j in range(out):
        if transform == "half_pixel":
            s = (j + 0.5) / scale - 0.5
        elif transform == "align_corners":
            s = 0.0 if out == 1 else j * (n - 1) / (out - 1)
        elif transform == "asymmetric":
            s = j / scale
        elif transform == "tf_half_pixel_for_nn":
            s = (j + 0.5) / scale
        elif transform == "pytorch_half_pixel":
            s = (j + 0.5) / scale - 0.5 if out > 1 else 0.0
        take = lambda i: np.take(x, min(max(i, 0), n - 1), axis=axis)
        if mode == "nearest":
            f = math.floor(s)
            if nearest_mode == "floor":
                i = f
            elif nearest_mode == "ceil":
                i = math.ceil(s)
            elif nearest_mode == "round_prefer_floor":
                i = f + 1 if s - f > 0.5 else f
            else:
                i = f + 1 if s - f >= 0.5 else f
            result.append(take(i))
        elif mode == "linear":
            f = math.floor(s)
            t = s - f
            result.append(take(f) * (1 - t) + take(f + 1) * t)
        else:
            f = math.floor(s)
            t = s - f

            def kernel(d):
                d = abs(d)
                if d <= 1:
                    return (a + 2) * d ** 3 - (a + 3) * d ** 2 + 1
                if d < 2:
                    return a * d ** 3 - 5 * a * d ** 2 + 8 * a * d - 4 * a
                return 0.0
            weights = [kernel(1 + t), kernel(t), kernel(1 - t), kernel(2 - t)]
            if exclude_outside:
                weights = [w if 0 <= f - 1 + k < n else 0.0 for k, w in enumerate(weights)]
                total = sum(weights)
                weights = [w / total for w in weights]
            result.append(sum(w * take(f - 1 + k) for k, w in enumerate(weights)))
    return np.stack(result, axis=axis)


def graph_model(nodes, input_shape, output_name, opset, initializers=()):
    graph = helper.make_graph(nodes, "case", [helper.make_tensor_value_info("input", TensorProto.FLOAT, input_shape)],
                              [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, None)], list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="depthforge tests")


def hand_written(out_dir):
    x = np.random.rand(1, 2, 5, 7).astype(np.float32) * 2 - 1
    # Resize in the modes PyTorch does not write.
    cases = [
        ("linear", "asymmetric", "round_prefer_floor", -0.75, 0, [1, 1, 2.0, 1.5]),
        ("nearest", "half_pixel", "round_prefer_floor", -0.75, 0, [1, 1, 3.0, 0.6]),
        ("nearest", "align_corners", "round_prefer_ceil", -0.75, 0, [1, 1, 2.0, 2.5]),
        ("nearest", "tf_half_pixel_for_nn", "ceil", -0.75, 0, [1, 1, 1.5, 2.0]),
        ("cubic", "half_pixel", "round_prefer_floor", -0.5, 1, [1, 1, 2.0, 1.7]),
        ("cubic", "asymmetric", "round_prefer_floor", -0.75, 0, [1, 1, 0.5, 3.0]),
        ("linear", "pytorch_half_pixel", "round_prefer_floor", -0.75, 0, [1, 1, 0.4, 2.0]),
    ]
    for i, (mode, transform, nearest_mode, a, exclude, scales) in enumerate(cases):
        node = helper.make_node("Resize", ["input", "roi", "scales"], ["output"], mode=mode, coordinate_transformation_mode=transform,
                                nearest_mode=nearest_mode, cubic_coeff_a=a, exclude_outside=exclude)
        inits = [numpy_helper.from_array(np.array([], np.float32), "roi"), numpy_helper.from_array(np.array(scales, np.float32), "scales")]
        model = graph_model([node], x.shape, "output", 13, inits)
        y = x
        for axis in (2, 3):
            out = int(math.floor(x.shape[axis] * scales[axis] + 1e-9))
            y = np_resize_axis(y, axis, out, scales[axis], mode, transform, nearest_mode, a, exclude)
        save(out_dir, "resize_%d_%s_%s" % (i, mode, transform), model, x, y)

    # Resize by 'sizes' (opset 11) and Upsample (opset 9).
    sizes = np.array([1, 2, 9, 4], np.int64)
    node = helper.make_node("Resize", ["input", "roi", "no_scales", "sizes"], ["output"], mode="linear", coordinate_transformation_mode="half_pixel")
    model = graph_model([node], x.shape, "output", 11, [numpy_helper.from_array(np.array([], np.float32), "roi"),
                                                       numpy_helper.from_array(np.array([], np.float32), "no_scales"), numpy_helper.from_array(sizes, "sizes")])
    y = np_resize_axis(np_resize_axis(x, 2, 9, 9 / 5, "linear", "half_pixel", "", 0, 0), 3, 4, 4 / 7, "linear", "half_pixel", "", 0, 0)
    save(out_dir, "resize_sizes_opset11", model, x, y)
    node = helper.make_node("Upsample", ["input", "scales"], ["output"], mode="linear")
    model = graph_model([node], x.shape, "output", 9, [numpy_helper.from_array(np.array([1, 1, 2, 3], np.float32), "scales")])
    y = np_resize_axis(np_resize_axis(x, 2, 10, 2.0, "linear", "asymmetric", "", 0, 0), 3, 21, 3.0, "linear", "asymmetric", "", 0, 0)
    save(out_dir, "upsample_linear_opset9", model, x, y)

    # Opset-9 Clip with attributes, HardSigmoid with its own alpha/beta, Gemm with transA.
    nodes = [helper.make_node("Clip", ["input"], ["c"], min=-0.3, max=0.6),
             helper.make_node("HardSigmoid", ["input"], ["h"], alpha=0.3, beta=0.4),
             helper.make_node("Add", ["c", "h"], ["output"])]
    save(out_dir, "clip_hardsigmoid_opset9", graph_model(nodes, x.shape, "output", 9), x, np.clip(x, -0.3, 0.6) + np.clip(0.3 * x + 0.4, 0, 1))

    m = np.random.rand(4, 3).astype(np.float32)
    b = np.random.rand(5, 4).astype(np.float32)
    c = np.random.rand(5).astype(np.float32)
    g = np.random.rand(4, 3).astype(np.float32)
    node = helper.make_node("Gemm", ["input", "b", "c"], ["output"], transA=1, transB=1, alpha=0.7, beta=1.3)
    model = graph_model([node], m.shape, "output", 11, [numpy_helper.from_array(b, "b"), numpy_helper.from_array(c, "c")])
    save(out_dir, "gemm_transposed", model, m, 0.7 * m.T @ b.T + 1.3 * c)

    # Slice with negative steps and out-of-range ends; Pad edge and negative pads; Split with sizes (opset 11).
    nodes = [helper.make_node("Slice", ["input", "starts", "ends", "axes", "steps"], ["s"]),
             helper.make_node("Pad", ["s", "pads"], ["p"], mode="edge"),
             helper.make_node("Split", ["p"], ["a", "b"], axis=3, split=[2, 4]),
             helper.make_node("ReduceMean", ["b"], ["m"], axes=[3], keepdims=1),
             helper.make_node("Mul", ["a", "m"], ["output"])]
    inits = [numpy_helper.from_array(np.array([-1, 100], np.int64), "starts"), numpy_helper.from_array(np.array([-100, 0], np.int64), "ends"),
             numpy_helper.from_array(np.array([2, 3], np.int64), "axes"), numpy_helper.from_array(np.array([-2, -1], np.int64), "steps"),
             numpy_helper.from_array(np.array([0, 0, 1, 0, 0, 0, -1, 0], np.int64), "pads")]
    s = x[:, :, ::-2, :][:, :, :, :0:-1]
    p = np.pad(s, ((0, 0), (0, 0), (1, 0), (0, 0)), mode="edge")[:, :, :-1, :]
    a, b2 = p[..., :2], p[..., 2:6]
    save(out_dir, "slice_pad_split_opset11", graph_model(nodes, x.shape, "output", 11, inits), x, a * b2.mean(axis=3, keepdims=True))

    # Opset-11 Softmax over the flattened trailing axes; Where / Equal / Range / Tile.
    nodes = [helper.make_node("Softmax", ["input"], ["s"], axis=2),
             helper.make_node("Shape", ["input"], ["shape"]),
             helper.make_node("Gather", ["shape", "three"], ["w"], axis=0),
             helper.make_node("Range", ["zero", "w", "one"], ["r"]),
             helper.make_node("Cast", ["r"], ["rf"], to=TensorProto.FLOAT),
             helper.make_node("Equal", ["r", "two"], ["eq"]),
             helper.make_node("Where", ["eq", "rf", "s"], ["wh"]),
             helper.make_node("Tile", ["wh", "reps"], ["output"])]
    inits = [numpy_helper.from_array(np.array(3, np.int64), "three"), numpy_helper.from_array(np.array(0, np.int64), "zero"),
             numpy_helper.from_array(np.array(1, np.int64), "one"), numpy_helper.from_array(np.array(2, np.int64), "two"),
             numpy_helper.from_array(np.array([1, 1, 1, 2], np.int64), "reps")]
    flat = x.reshape(1, 2, -1)
    e = np.exp(flat - flat.max(axis=2, keepdims=True))
    sm = (e / e.sum(axis=2, keepdims=True)).reshape(x.shape)
    r = np.arange(7)
    wh = np.where(r == 2, r.astype(np.float32), sm)
    save(out_dir, "softmax_where_range_opset11", graph_model(nodes, x.shape, "output", 11, inits), x, np.tile(wh, (1, 1, 1, 2)))

    # A float16 model: weights stored as halves, Casts around them.
    w16 = (np.random.rand(4, 2, 3, 3).astype(np.float32) - 0.5).astype(np.float16)
    nodes = [helper.make_node("Cast", ["input"], ["x16"], to=TensorProto.FLOAT16),
             helper.make_node("Conv", ["x16", "w"], ["y16"], pads=[1, 1, 1, 1]),
             helper.make_node("Cast", ["y16"], ["output"], to=TensorProto.FLOAT)]
    model = graph_model(nodes, x.shape, "output", 13, [numpy_helper.from_array(w16, "w")])
    conv = F.conv2d(torch.from_numpy(x), torch.from_numpy(w16.astype(np.float32)), padding=1).numpy()
    save(out_dir, "float16_weights", model, x, conv)


def metric_network(out_dir):
    """A small metric network for the command-line test: RGB photo in, depth
    in metres out (exp of a conv stack), with a sidecar; the expected depth
    is computed here from the PNG's pixels with the sidecar's normalisation."""
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, stride=2, padding=1), nn.ReLU(),
                        nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), nn.Conv2d(8, 1, 3, padding=1), nn.Sigmoid())
    net.eval()
    height, width = 48, 64
    pixels = (np.random.rand(height, width, 3) * 255).astype(np.uint8)  # RGB
    mean, std, scale = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1 / 255
    x = (pixels.astype(np.float32) * scale - np.array(mean, np.float32)) / np.array(std, np.float32)
    x = torch.from_numpy(x.transpose(2, 0, 1)[None].copy())
    path = os.path.join(out_dir, "metric_net.onnx")
    torch.onnx.export(net, (x,), path, opset_version=13, input_names=["input"], output_names=["depth"],
                      dynamic_axes={"input": {0: "n", 2: "h", 3: "w"}})
    with torch.no_grad():
        expected = net(x).numpy()[0, 0] * 8.0  # output_scale
    with open(os.path.join(out_dir, "metric_net.json"), "w") as f:
        f.write('{"input_size": [%d, %d], "color": "RGB", "scale": %r, "mean": %r, "std": %r, "output": "metric", "output_scale": 8.0}\n'
                % (width, height, scale, mean, std))
    np.save(os.path.join(out_dir, "metric_net.expected.npy"), expected.astype(np.float32))
    write_png(os.path.join(out_dir, "metric_net.png"), pixels)


def write_png(path, rgb):
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def exported(out_dir):
    image = torch.rand(1, 3, 20, 24) * 2 - 1
    conv = ConvFamily()
    randomise_batch_norms(conv)
    for opset in (9, 11, 13, 17):
        export(out_dir, "conv_family_opset%d" % opset, conv, image, opset)
    for opset in (9, 13):
        export(out_dir, "math_family_opset%d" % opset, MathFamily(), image, opset)
    tokens = torch.randn(2, 6, 12)
    for opset in (11, 17):
        export(out_dir, "dense_family_opset%d" % opset, DenseFamily(), tokens, opset)
    for opset in (11, 13):
        export(out_dir, "shape_family_opset%d" % opset, ShapeFamily(), image, opset, dynamic=True)
    small = torch.rand(1, 3, 7, 9)
    for opset in (9, 10, 11, 13):
        export(out_dir, "resize_nearest_opset%d" % opset, ResizeFamily("nearest"), small, opset)
        export(out_dir, "resize_bilinear_opset%d" % opset, ResizeFamily("bilinear", align_corners=False), small, opset)
        if opset < 11:
            # Upsample-9 and Resize-10 define linear resizing with asymmetric
            # coordinates, which is not PyTorch's half-pixel bilinear (its
            # exporter warns): the expected output is the ONNX definition.
            x = small.numpy()
            y = np_resize_axis(np_resize_axis(x, 2, 14, 2.0, "linear", "asymmetric", "", 0, 0), 3, 18, 2.0, "linear", "asymmetric", "", 0, 0)
            np.save(os.path.join(out_dir, "resize_bilinear_opset%d.expected.npy" % opset), y.astype(np.float32))
    for opset in (11, 13):
        export(out_dir, "resize_bilinear_corners_size_opset%d" % opset, ResizeFamily("bilinear", align_corners=True, use_size=True), small, opset)
        export(out_dir, "resize_bicubic_opset%d" % opset, ResizeFamily("bicubic", align_corners=False), small, opset)
        export(out_dir, "resize_bicubic_corners_size_opset%d" % opset, ResizeFamily("bicubic", align_corners=True, use_size=True), small, opset)
    for opset in (11, 13):
        export(out_dir, "pool_family_opset%d" % opset, PoolFamily(), image, opset)
    # The architectures at test size: MiDaS small's block structure (two
    # blocks per stage, narrow), Depth Anything's (a 4-block ViT).
    midas = MidasSmallLike(widths=[8], stages=[(8, 1, 1, 3, 1), (12, 2, 2, 3, 6), (16, 2, 2, 5, 6), (24, 2, 2, 3, 6)], features=8)
    randomise_batch_norms(midas)
    for opset in (11, 12, 13):
        export(out_dir, "midas_small_blocks_opset%d" % opset, midas, torch.rand(1, 3, 64, 64) * 2 - 1, opset)
    depth_anything = DepthAnythingLike(dim=24, depth=4, heads=3, taps=[0, 1, 2, 3], widths=[8, 12, 16, 16], features=8, grid=3)
    for opset in (14, 17):
        export(out_dir, "depth_anything_blocks_opset%d" % opset, depth_anything, torch.rand(1, 3, 56, 70) * 2 - 1, opset, dynamic=True)


# The real networks' shapes: EfficientNet-Lite3 (stem 32; stages of width
# 24, 32, 48, 96, 136, 232, 384) under MiDaS small's decoder (64 features,
# expanded), and ViT-S/14 (384 wide, 12 blocks, 6 heads, taps 2, 5, 8, 11)
# under a DPT head (48, 96, 192, 384 -> 64).
LITE3_STAGES = [(24, 2, 1, 3, 1), (32, 3, 2, 3, 6), (48, 3, 2, 5, 6), (96, 5, 2, 3, 6), (136, 5, 1, 5, 6), (232, 6, 2, 5, 6), (384, 1, 1, 3, 6)]


def bench_modules():
    """The two networks with their real shapes, random (seeded) weights."""
    torch.manual_seed(1234)
    midas = MidasSmallLike(widths=[32], stages=LITE3_STAGES, features=64)
    randomise_batch_norms(midas)
    da = DepthAnythingLike(dim=384, depth=12, heads=6, taps=[2, 5, 8, 11], widths=[48, 96, 192, 384], features=64, grid=37)
    return [("midas_small_bench", midas.eval(), torch.rand(1, 3, 256, 256), 11, False),
            ("depth_anything_v2_small_bench", da.eval(), torch.rand(1, 3, 518, 518), 17, True)]


def bench(out_dir):
    for name, module, x, opset, dynamic in bench_modules():
        export(out_dir, name, module, x, opset, dynamic)
        count = sum(p.numel() for p in module.parameters())
        print("%s: %.1f M parameters" % (name, count / 1e6))


def time_eager(threads, runs):
    """Median time of PyTorch's own eager run of the same networks."""
    import time
    torch.set_num_threads(threads)
    for name, module, x, _, _ in bench_modules():
        with torch.inference_mode():
            for _ in range(2):
                module(x)
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                module(x)
                times.append(time.perf_counter() - start)
        times.sort()
        print("eager %s %dx%d: %.1f ms (median of %d, %d threads)" % (name, x.shape[3], x.shape[2], 1e3 * times[len(times) // 2], runs, threads))


def main():
    if sys.argv[1] == "--time":
        time_eager(int(sys.argv[2]), int(sys.argv[3]))
        return
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    if "--bench" in sys.argv:
        bench(out_dir)
        return
    exported(out_dir)
    hand_written(out_dir)
    metric_network(out_dir)


if __name__ == "__main__":
    main()
