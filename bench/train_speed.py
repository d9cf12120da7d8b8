"""The peer of bench/train_speed.cc: the same U-Net (conv-BN-ReLU blocks,
3 poolings, bilinear upsampling, skip connections, sigmoid depth head), the
same masked BerHu loss, batch and Adam step, in Debian's python3-torch
(same LibTorch 1.13). Run through bench/train_speed.sh."""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class UNet(nn.Module):
    def __init__(self, c=16, max_depth=10.0):
        super().__init__()
        self.enc1, self.enc2, self.enc3 = block(3, c), block(c, 2 * c), block(2 * c, 4 * c)
        self.bottom = block(4 * c, 8 * c)
        self.dec3, self.dec2, self.dec1 = block(12 * c, 4 * c), block(6 * c, 2 * c), block(3 * c, c)
        self.head = nn.Conv2d(c, 1, 1)
        self.max_depth = max_depth

    @staticmethod
    def up(x, like):
        return F.interpolate(x, size=like.shape[2:], mode="bilinear", align_corners=False)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        e3 = self.enc3(F.max_pool2d(e2, 2))
        b = self.bottom(F.max_pool2d(e3, 2))
        d3 = self.dec3(torch.cat([self.up(b, e3), e3], 1))
        d2 = self.dec2(torch.cat([self.up(d3, e2), e2], 1))
        d1 = self.dec1(torch.cat([self.up(d2, e1), e1], 1))
        return self.max_depth * torch.sigmoid(self.head(d1)) + 1e-3


def berhu(prediction, target):
    mask = (target > 0).to(prediction.dtype)
    x = (prediction - target).abs() * mask
    c = (0.2 * x.max()).clamp_min(1e-6).detach()
    loss = torch.where(x <= c, x, (x * x + c * c) / (2 * c))
    return (loss * mask).sum() / mask.sum().clamp_min(1.0)


def main():
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = UNet()
    net.train()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(batch, 3, 96, 128) - 0.5
    y = torch.rand(batch, 1, 96, 128) * 9 + 0.5

    def step():
        loss = berhu(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - start
    print(f"python unet berhu batch {batch} threads {torch.get_num_threads()}: "
          f"{steps * batch / seconds:.1f} images/s ({1000 * seconds / steps:.1f} ms per step)")


if __name__ == "__main__":
    main()
