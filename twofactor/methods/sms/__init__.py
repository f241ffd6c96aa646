"""SMS: a token texted to the number on file, typed into "Token or Security Key"."""
