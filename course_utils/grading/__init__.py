"""Graded assignments: release a student edition, then grade notebooks outside the student's process.

The assignments are otter-grader master notebooks under ``notebooks/assignments/<id>/``; ``otter assign``
builds the student edition (no solutions, no hidden tests, public checks inside) and the autograder.
Grading is done here rather than by ``otter run``, because otter runs the tests inside the student's own
Python process, where the submission could patch NumPy or the checks, exit, or read the hidden tests.
Here the tests run in the grader's process and the submission's code in a limited child process
(:mod:`.sandbox`), which only answers "call this function on these arrays" with plain data.

It fails closed: where the isolation it promises is missing (rlimits, a working memory cap, Landlock) it
refuses to grade and says what is missing, unless the instructor passes ``--allow-unsandboxed``, and then
every report says so. A class is graded ``--jobs N`` submissions at a time (default: one per core), one
sandbox each, into one atomically rewritten CSV; ``release`` also writes a Gradescope autograder zip.

    python -m course_utils.grading release
    python -m course_utils.grading grade a1_rnn_bptt submission.ipynb --json
    python -m course_utils.grading grade a1_rnn_bptt submissions/ --csv grades.csv --jobs 2 --canvas gradebook.csv

Modules: ``assignments`` (registry, limits), ``release`` (otter assign, Gradescope zip), ``grader`` (tests,
reports, class runs), ``sandbox`` and ``_child`` (the submission's process), ``checks`` (assertions that
name the mistake), ``student`` (public checks in JupyterLab, Binder and Colab). Mutation testing of the
solutions lives in ``tools/mutation.py`` (``make mutation``).
"""
