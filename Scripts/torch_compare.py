"""Compare pixel-dqn's numerics against PyTorch on the files of `pixel-dqn export-reference`.

For each preset: load <preset>.safetensors into the same torch.nn network, run the seeded batch of
<preset>_reference.safetensors, compare Q-values, Huber loss, gradients and the parameters after one
torch.optim.Adam step. Prints max abs differences; exits 1 if any exceeds its tolerance. A folder
written with `--dueling` holds dueling networks (their metadata says so): the module then has
`value` and `advantage` heads on fc1's ReLU output, Q = V + A − A.mean(1) (torch_qnetwork.py).

    pixel-dqn export-reference --output /tmp/ref && python Scripts/torch_compare.py /tmp/ref
    pixel-dqn export-reference --dueling --output /tmp/ref-dueling && python Scripts/torch_compare.py /tmp/ref-dueling
"""
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import load_file

sys.path.insert(0, str(Path(__file__).parent))
from torch_qnetwork import from_metadata  # noqa: E402

# Tolerances (absolute): Q and loss are float32 sums over ≤ 3136 terms; gradients are scaled by
# their own max; Adam's first step moves each weight by ≈ lr·sign(g), so a gradient that is ~0
# in both (sign decided by rounding) can differ by up to 2·lr: checked separately and reported.
TOL_Q = 1e-4
TOL_LOSS = 1e-5
TOL_GRAD_RELATIVE = 1e-3
TOL_PARAM = 1e-6


def compare(folder: Path, preset: str) -> dict:
    checkpoint = folder / f"{preset}.safetensors"
    with safe_open(str(checkpoint), "pt") as f:
        metadata = f.metadata()
    net = from_metadata(metadata)
    # strict: every module tensor must be in the file and every file tensor in the module.
    net.load_state_dict(load_file(str(checkpoint)), strict=True)
    ref = load_file(str(folder / f"{preset}_reference.safetensors"))
    with safe_open(str(folder / f"{preset}_reference.safetensors"), "pt") as f:
        lr = float(f.metadata()["lr"])
    x = ref["frames"].float() / 255.0 if "frames" in ref else ref["features"]
    q = net(x)
    taken = q.gather(1, ref["actions"].long().unsqueeze(1)).squeeze(1)
    loss = F.smooth_l1_loss(taken, ref["targets"])
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    optimizer.zero_grad()
    loss.backward()
    grads = {name: p.grad.detach().clone() for name, p in net.named_parameters()}
    optimizer.step()
    result = {
        "q": (q.detach() - ref["q"]).abs().max().item(),
        "loss": abs(loss.item() - ref["loss"].item()),
        "grad_relative": max(((grads[n] - ref["grad." + n]).abs().max() / grads[n].abs().max().clamp_min(1e-12)).item()
                             for n in grads),
        "param_after_adam": 0.0,
        "param_after_adam_where_grad_clear": 0.0,
        "lr": lr,
        "dueling": net.dueling,
    }
    for name, p in net.named_parameters():
        diff = (p.detach() - ref["after." + name]).abs()
        result["param_after_adam"] = max(result["param_after_adam"], diff.max().item())
        # Entries whose gradient is clearly nonzero (not decided by rounding).
        clear = grads[name].abs() > 1e-3 * grads[name].abs().max()
        if clear.any():
            result["param_after_adam_where_grad_clear"] = max(result["param_after_adam_where_grad_clear"],
                                                              diff[clear].max().item())
    return result


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "reference")
    torch.manual_seed(0)
    failed = False
    for preset in ("small", "nature", "mlp"):
        if not (folder / f"{preset}.safetensors").exists():
            print(f"{preset}: missing {folder / (preset + '.safetensors')}")
            failed = True
            continue
        r = compare(folder, preset)
        dueling = r.pop("dueling")
        ok = (r["q"] <= TOL_Q and r["loss"] <= TOL_LOSS and r["grad_relative"] <= TOL_GRAD_RELATIVE
              and r["param_after_adam_where_grad_clear"] <= TOL_PARAM and r["param_after_adam"] <= 2 * r.pop("lr"))
        failed |= not ok
        name = preset + (" (dueling)" if dueling else "")
        print(f"{name:17s} {'ok  ' if ok else 'FAIL'} " + json.dumps({k: float(f"{v:.3g}") for k, v in r.items()}))
    print(f"tolerances: q {TOL_Q}, loss {TOL_LOSS}, grad (relative to max) {TOL_GRAD_RELATIVE}, "
          f"params after Adam where |g| > 1e-3·max|g| {TOL_PARAM}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
