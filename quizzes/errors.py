"""Refusals a learner can understand; views turn them into a 4xx with `message` (never a 500)."""


class QuizError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AnswerError(QuizError):
    """The answers sent do not fit the attempt (tampering or a stale page): nothing is saved."""


class AttemptNotAllowed(QuizError):
    status = 409


class AttemptClosed(QuizError):
    status = 409


class QuizEmpty(QuizError):
    status = 409
