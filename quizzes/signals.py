"""Events of the quiz engine that a higher layer acts on; quizzes itself knows nothing of courses."""

from django.dispatch import Signal

#: Sent inside the grading transaction when an attempt is graded as passed, with `attempt=`.
#: courses checks the course's completion rules on it, in that same transaction, so the pass and
#: a pending certificate commit together.
attempt_passed = Signal()
