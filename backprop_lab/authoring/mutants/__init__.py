"""Generated mutants of the reference answers, graded in-process by the checks the grader uses.

Do the hidden checks catch every wrong answer, and is every mistake they name really that mistake?
An AST mutator makes small changes to the answers of the graded parts (the cost, sigma', the
gradient, the regularised gradient, the weight plot and the convolution), each in its own mutant:
swapped operands, another operator, a dropped term or factor, changed constants, off-by-one and
dropped slice bounds, swapped indices and arguments, a wrong axis, an added or dropped transpose,
column (order='F') ravels and reshapes, a dropped call or statement, a dropped copy, and names
confused with those of the other layer. Calls that only dress a figure (titles, axes) and keyword
values such as figsize are left alone. The seeds are the instructor's answers (notebooks/) and
CLASSIC, the same answers written the way most students write them (columns of ones, a penalty on a
copy with its bias column zeroed). Every mutant runs in a forked process of its own, two at a time,
killed after its timeout (a mutant that loops forever cannot hang the run), through the checks of
every part that calls the mutated function (a sigma' mutant also through both gradient checks).

For each mutant:
- **changed**: its outputs on the checks' own inputs (recorded by running the checks on the
  reference) differ from its seed's: the values by more than a relative 1e-9, or it raises where
  the seed does not, or it changes an argument. The weight plot's output is its images as
  imshow shows them (each scaled to its own range), in order. The others are equivalent.
- **lost points**: a check of one of its parts failed. A mutant stopped at its timeout, or whose
  process died, counts as changed and lost (the grader's kernel would time out on it too).
- **named**: a failing check named a catalogued mistake ("Likely mistake (ID)").
- **named wrongly**: the named mistake does not explain its outputs. A mistake's predictions are
  what its implementations return on the same inputs: its sample in samples/, and every mutant made
  by a catalogue operator that declares that mistake (FORMS: an edit of an answer that *is* the
  mistake, for mistakes with several forms, such as regularising only Theta1 or only Theta2). A
  name is right when, on every input of the part that named it, the mutant's outputs equal one
  prediction (relative 1e-6; raising counts as the same outcome as raising); modifies-input, a fact
  the check observes, is right when the mutant changed an argument. The judge never asks
  diagnosis.py, whose recognisers it judges.

Correct rewrites must keep full marks: the correct samples, CLASSIC, and generated rewrites that
keep the meaning (commuted sums and products, method calls, x * x for x ** 2, transposed products,
concatenate for append, the sigmoid written out, float32 inputs).

`python -m backprop_lab mutants` prints the figures and writes them into the README between its
markers; tests/test_mutants.py holds the course to them.

The modules, in import order: parts.py (the graded parts, their checks, the classic answers and
the catalogue's forms), outcomes.py (grading one answer in-process and comparing outputs),
generate.py (the AST mutator), rewrites.py (the correct rewrites), run.py (each answer in a process
of its own, then the judge) and readme.py (the figures and the README's table).
"""
