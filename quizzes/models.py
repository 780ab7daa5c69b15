"""The quiz engine (question bank, quizzes, attempts) arrives with issue 3."""
