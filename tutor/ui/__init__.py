"""The Textual app: one face of the core (the CLI is the other).

Nothing under `tutor.ui` imports NumPy or SymPy: the first screen must not pay for them.
"""
