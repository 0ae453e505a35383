class RejectedFile(Exception):
    """A file Hamish will not import. The message is shown to the person importing it."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason
