def read_document(path):
    """Split a Markdown file with a small "key: value" header (demo content) into its header
    fields and its Markdown body."""
    header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    fields = {}
    for line in header.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields, body.strip() + "\n"
