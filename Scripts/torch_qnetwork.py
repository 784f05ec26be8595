"""The pixel-dqn Q-network presets as torch.nn modules (reference only; never needed at run time).

Module names match pixel-dqn's safetensors names: conv1, conv2, (conv3), fc1, fc2; with
dueling=True (Wang et al. 2016), value and advantage instead of fc2: Q = V + A − mean_a A.
"""
import torch
from torch import nn


class QNetwork(nn.Module):
    def __init__(self, preset: str, input_shape, actions: int, dueling: bool = False):
        super().__init__()
        self.preset = preset
        self.dueling = dueling
        if preset == "mlp":
            (features,) = input_shape
            self.fc1 = nn.Linear(features, 256)
            self._add_head(256, actions)
            self.convs = []
            return
        c, h, w = input_shape
        spec = {"small": [(16, 8, 4), (32, 4, 2)],
                "nature": [(32, 8, 4), (64, 4, 2), (64, 3, 1)]}[preset]
        for i, (out, k, s) in enumerate(spec, 1):
            setattr(self, f"conv{i}", nn.Conv2d(c, out, k, stride=s))
            c, h, w = out, (h - k) // s + 1, (w - k) // s + 1
        self.convs = [f"conv{i}" for i in range(1, len(spec) + 1)]
        hidden = 512 if preset == "nature" else 256
        self.fc1 = nn.Linear(c * h * w, hidden)
        self._add_head(hidden, actions)

    def _add_head(self, hidden: int, actions: int):
        if self.dueling:
            self.value = nn.Linear(hidden, 1)
            self.advantage = nn.Linear(hidden, actions)
        else:
            self.fc2 = nn.Linear(hidden, actions)

    def forward(self, x):
        for name in self.convs:
            x = torch.relu(getattr(self, name)(x))
        x = torch.flatten(x, 1)          # C, H, W order, as pixel-dqn's Flatten
        h = torch.relu(self.fc1(x))
        if not self.dueling:
            return self.fc2(h)
        a = self.advantage(h)
        return self.value(h) + a - a.mean(1, keepdim=True)


def from_metadata(metadata):
    """Builds the network described by a pixel-dqn checkpoint's __metadata__ (a file without
    pixel_dqn.dueling predates the option and has no dueling head)."""
    shape = [int(v) for v in metadata["pixel_dqn.input_shape"].split(",")]
    dueling = metadata.get("pixel_dqn.dueling", "false")
    if dueling not in ("true", "false"):
        raise ValueError(f"__metadata__ field pixel_dqn.dueling is '{dueling}', expected true or false")
    return QNetwork(metadata["pixel_dqn.preset"], shape, int(metadata["pixel_dqn.actions"]), dueling == "true")
