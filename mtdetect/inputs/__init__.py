"""Reading a user's input: bytes within limits, text, HTML, checks, documents, labelled pairs."""
