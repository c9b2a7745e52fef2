"""The built-model inspector and the training probe (`kerlint check --probe`).

Everything that imports TensorFlow/Keras or runs user code lives in the child process
(`kerlint.probe.child`): the parent side (`runner`, `rebuild`, `verdicts`, `attach`) is pure Python, so
the static path never loads a framework. Layout, one job per module:

- options.py   ProbeOptions (CLI flags + `[tool.kerlint.probe]`)
- runner.py    parent: one supervisor per file (scratch directory, allow-listed environment, limits), its answer
- supervisor.py trusted middle process: forks the confined child, holds the result channel, kills the tree
- confine.py   OS confinement applied before the script runs (namespaces, read-only mounts, rlimits, Landlock)
- schema.py    parent: the child's document is data: validated before anything reads it
- child.py     child entry: patches, runs the script, inspects, probes, sends JSON to the supervisor
- capture.py   child: patches fit/fit_generator/train_on_batch/save/exit, records what training gets
- inspector.py child: live model -> JSON facts (activations, losses, optimizer, data ranges)
- batches.py   child: captured data (arrays, generators, tf.data, PyDataset) -> a few NumPy batches
- train.py     child: the short training run, per-step loss / gradient norm / output observations
- backends.py  child: the backend interface, its choice from Keras' backend, the TensorFlow gradient code
- backend_jax.py, backend_torch.py  child: the same on JAX (jitted step, jvp-of-grad HVPs) and PyTorch
- rebuild.py   parent: JSON facts -> kerlint.facts objects, run the rules on them
- verdicts.py  parent: per-step trajectory + a finding's code -> confirmed / not reproduced / inconclusive
- attach.py    parent: merge inspector findings and verdicts into the static diagnostics
"""
