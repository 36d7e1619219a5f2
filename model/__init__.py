"""Training, evaluation and shipped weights of Counterclaim's contradiction (NLI) classifier."""
