"""Reference values for CompareTests (run by hand, never by the tests or the tool):
the pooled IQM with scipy, the stratified bootstrap intervals with the same xoshiro256**
draws as pixel-dqn (written again here from the generator's definition) and NumPy's
percentiles, the probability of improvement with scipy's Mann-Whitney U.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy scipy
    /tmp/venv/bin/python Scripts/compare_reference.py
"""
import numpy as np
from scipy import stats

MASK = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro:
    def __init__(self, seed):
        self.s = []
        for _ in range(4):
            seed, v = splitmix64(seed)
            self.s.append(v)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def index_below(self, bound):
        # Lemire's multiply-shift with rejection, as Xoshiro256.nextIndex(below:).
        m = self.next() * bound
        if (m & MASK) < bound:
            threshold = ((1 << 64) - bound) % bound
            while (m & MASK) < threshold:
                m = self.next() * bound
        return m >> 64


def pooled_iqm(tasks):
    return stats.trim_mean(np.concatenate([np.asarray(t, float) for t in tasks]), 0.25)


def poi(x, y):
    total = 0.0
    for a, b in zip(x, y):
        u = stats.mannwhitneyu(a, b, alternative="greater").statistic  # counts ties as 1/2
        total += u / (len(a) * len(b))
    return total / len(x)


def stratified_interval(tasks, resamples, seed, statistic):
    tasks = [sorted(t) for t in tasks]
    rng = Xoshiro(seed)
    values = []
    for _ in range(resamples):
        sample = [[t[rng.index_below(len(t))] for _ in t] for t in tasks]
        values.append(statistic(sample))
    return np.percentile(values, 2.5), np.percentile(values, 97.5)


print("IQM [12,35,50,51,60,64,70,88,120,200] split in two tasks:",
      repr(pooled_iqm([[12, 35, 50, 51, 60], [64, 70, 88, 120, 200]])))
a = [[3, 1, 2], [10, 40]]
print("IQM", a, repr(pooled_iqm(a)), "CI (7 resamples, seed 0):",
      [repr(v) for v in stratified_interval(a, 7, 0, pooled_iqm)])
x, y = [[1, 2, 3], [5, 6]], [[2, 2], [4, 7, 8]]
n = len(x)
print("P(x > y)", repr(poi(x, y)), "CI (9 resamples, seed 0):",
      [repr(v) for v in stratified_interval(x + y, 9, 0, lambda s: poi(s[:n], s[n:]))])
print("P([3,4] > [1,3]) =", poi([[3, 4]], [[1, 3]]), " P([1,2,3] > [2]) =", poi([[1, 2, 3]], [[2]]))
