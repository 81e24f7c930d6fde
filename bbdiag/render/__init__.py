"""The last stage: diagnoses and remedies as people and tools read them.

`view.build` turns them into plain records in which every string is already redacted; the
renderers only lay those records out, so no renderer can print a secret by forgetting to.
"""
