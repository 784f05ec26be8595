"""PyTorch counterpart of `pixel-dqn bench-network` (reference only): same presets, batch sizes,
update steps and FLOP count, on 2 threads. Prints one JSON object per preset, medians over repeats.

    python Scripts/torch_bench.py --preset small --repeats 20
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
from torch_qnetwork import QNetwork  # noqa: E402



def gemm_flops_per_sample(net: QNetwork, input_shape):
    """Forward FLOPs per sample of each conv/linear (2·M·N·K), in layer order."""
    flops = []
    if net.convs:
        c, h, w = input_shape
        for name in net.convs:
            conv = getattr(net, name)
            k, s = conv.kernel_size[0], conv.stride[0]
            h, w = (h - k) // s + 1, (w - k) // s + 1
            flops.append(2 * h * w * conv.out_channels * c * k * k)
            c = conv.out_channels
    for fc in (net.fc1, net.fc2):
        flops.append(2 * fc.in_features * fc.out_features)
    return flops


def bench(preset: str, repeats: int, actions: int = 2):
    shape = [4, 84, 84] if preset != "mlp" else [4]
    batch = 256 if preset == "mlp" else 32
    online, target = QNetwork(preset, shape, actions), QNetwork(preset, shape, actions)
    target.load_state_dict(online.state_dict())
    optimizer = torch.optim.Adam(online.parameters(), lr=1e-4)
    g = torch.Generator().manual_seed(1)
    if preset == "mlp":
        obs, next_obs = torch.rand(batch, *shape, generator=g), torch.rand(batch, *shape, generator=g)
        scale = lambda x: x  # noqa: E731
    else:
        obs = torch.randint(0, 256, (batch, *shape), dtype=torch.uint8, generator=g)
        next_obs = torch.randint(0, 256, (batch, *shape), dtype=torch.uint8, generator=g)
        scale = lambda x: x.float() / 255.0  # noqa: E731
    taken = torch.randint(0, actions, (batch,), generator=g)
    rewards = torch.randint(0, 2, (batch,), generator=g).float()
    dones = (torch.rand(batch, generator=g) < 0.1).float()

    def act():
        with torch.no_grad():
            online(scale(obs[:1])).argmax(1)

    def update():
        with torch.no_grad():
            y = rewards + 0.99 * target(scale(next_obs)).max(1).values * (1 - dones)
        q = online(scale(obs)).gather(1, taken.unsqueeze(1)).squeeze(1)
        loss = F.smooth_l1_loss(q, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(2):
        act(); update()
    act_ms, update_ms = [], []
    for _ in range(repeats):
        t = time.perf_counter(); act(); act_ms.append((time.perf_counter() - t) * 1e3)
        t = time.perf_counter(); update(); update_ms.append((time.perf_counter() - t) * 1e3)
    per_layer = gemm_flops_per_sample(online, shape)
    forward = sum(per_layer)
    backward = per_layer[0] + 2 * sum(per_layer[1:])  # no dX for the first layer
    flops = batch * (2 * forward + backward)
    ms = statistics.median(update_ms)
    gflops = flops / (ms * 1e6)
    return {"preset": preset, "inputShape": shape, "actions": actions, "threads": torch.get_num_threads(),
            "batch": batch, "repeats": repeats, "actLatencyMs": statistics.median(act_ms), "updateMs": ms,
            "updatesPerSecond": 1000 / ms, "flopsPerUpdate": flops, "achievedGFLOPS": gflops,
            "torch": torch.__version__, "cpuCapability": torch.backends.cpu.get_cpu_capability()}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", choices=["small", "nature", "mlp", "all"], default="all")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for preset in (["small", "nature", "mlp"] if args.preset == "all" else [args.preset]):
        print(json.dumps(bench(preset, args.repeats)))


if __name__ == "__main__":
    main()
