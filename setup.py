"""The one thing pyproject.toml cannot say: bbdiag's optional C extension, bbdiag/_newlines.c
(which says why it is in C).

- `optional=True`: where it does not build (no compiler), bbdiag installs without it and
  bbdiag.prefilter counts newlines in Python (the same results, slower).
- Python's stable ABI (3.11 and later): one wheel per platform serves every CPython from 3.11 on,
  `bbdiag-<version>-cp311-abi3-linux_x86_64.whl` on x86-64 Linux (where Hyperscan's wheels are,
  so where scan's fast path runs). Elsewhere pip builds the sdist.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[Extension("bbdiag._newlines", ["bbdiag/_newlines.c"], optional=True, py_limited_api=True, define_macros=[("Py_LIMITED_API", "0x030B0000")])],
    options={"bdist_wheel": {"py_limited_api": "cp311"}},
)
