"""The code grader: run a learner's backward() in a sandbox, grade it against numerical
gradients computed by the trusted parent, and say what is wrong.

  inputs.py     random input sets from an exercise's spec (shapes, ranges, kinks, labels)
  numerical.py  central-difference and random-directional gradients of a reference forward
  diagnosis.py  per-gradient comparison and a named cause (transposed, sign, batch sum, …)
  sandbox.py    a warm worker process that runs learner code in a limited child process
  runner.py     what runs inside that child: load the learner's file, call it, save arrays
  grader.py     an exercise end to end: inputs → sandbox → numerical check → GradeResult
"""
