"""The derivation checker: a safe parser for typed maths, equivalence, and mistake feedback.

Layout (each module one job):
  functions.py    helper functions learners may use (sigma, relu, softplus, …) as SymPy objects
  parser.py       whitelisting tokenizer + parser: student text → SymPy, never eval/sympify
  equivalence.py  numeric evaluation at random points in the domains, symbolic confirmation
  feedback.py     what a wrong answer got wrong (sign, factor, missing local derivative, …)
  checker.py      an exercise's parts: expected answers, variants, per-part verdicts
  service.py      runs checks in a separate process with a hard time bound
SymPy is imported only by these modules, so nothing on the way to the first screen pays for it.
"""
