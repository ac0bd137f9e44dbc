"""PyTorch baseline for `scripts/bench native`: the post's classifier with torch.nn.LSTM on the
CPU, one training step (forward, BCE, backward, Adam) per iteration, on N threads (default 1).

    python3 scripts/torch_bench.py [--threads N] [--steps N] [--cpu-time] 32x32 128x128

Each line is the median of N timed steps after one warm-up step: wall time, or with --cpu-time
the process's CPU time (all threads), as `lstm-lab bench classes --cpu-time` counts it, which a
shared machine inflates less.
"""
import statistics
import sys
import time

import torch

args = sys.argv[1:]
threads, steps = 1, 5
if "--threads" in args:
    i = args.index("--threads")
    threads = int(args[i + 1])
    del args[i : i + 2]
if "--steps" in args:
    i = args.index("--steps")
    steps = int(args[i + 1])
    del args[i : i + 2]
clock, unit = time.perf_counter, "ms/step"
if "--cpu-time" in args:
    args.remove("--cpu-time")
    clock, unit = time.process_time, "ms/step of CPU time"
torch.set_num_threads(threads)
VOCAB, EMBED, HIDDEN = 3000, 100, 100


class SentimentClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(VOCAB, EMBED)
        self.lstm = torch.nn.LSTM(EMBED, HIDDEN, batch_first=True)
        self.linear = torch.nn.Linear(2 * HIDDEN, 1)

    def forward(self, ids):
        out, _ = self.lstm(self.embedding(ids))
        return self.linear(torch.cat([out.mean(1), out.max(1).values], 1)).squeeze(1)


for config in args or ["32x32", "128x128"]:
    batch, seq = map(int, config.split("x"))
    torch.manual_seed(0)
    model = SentimentClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    ids = torch.randint(0, VOCAB, (batch, seq))
    labels = torch.randint(0, 2, (batch,)).float()
    times = []
    for i in range(steps + 1):
        start = clock()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(ids), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()
        if i:  # the first step warms up
            times.append(clock() - start)
    ms = statistics.median(times) * 1e3
    print(f"pytorch {torch.__version__} CPU {threads} thread(s), batch {batch} × {seq}: {ms:.1f} {unit}, {batch / ms * 1e3:.0f} reviews/s")
