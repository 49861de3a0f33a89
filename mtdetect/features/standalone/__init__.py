"""Reference-free feature families: a suspect sentence judged on its own."""
