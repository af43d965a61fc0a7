"""A file storage in the database, for post-office's attachments (POST_OFFICE["FILE_STORAGE"]).

Attachments live in the same database, and the same transaction, as their message: a rolled
back change leaves no file behind, every app server sees the attachments of every message (an
app server's own disk is not shared, see README "Past one machine"), nothing lands in the
public media bucket, and erasing an attachment deletes its row (which SQLite's secure_delete
overwrites). Attachments are small (calendar invitations, say), so a row each is fine.
"""

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible


@deconstructible
class DatabaseStorage(Storage):
    def _model(self):
        from .models import StoredFile  # storages are made while apps are still loading

        return StoredFile

    def _save(self, name, content):
        self._model().objects.create(name=name, content=content.read())
        return name

    def _open(self, name, mode="rb"):
        stored = self._model().objects.filter(name=name).values_list("content", flat=True)
        if not stored:
            raise FileNotFoundError(name)
        return ContentFile(bytes(stored[0]), name=name)

    def exists(self, name):
        return self._model().objects.filter(name=name).exists()

    def delete(self, name):
        self._model().objects.filter(name=name).delete()

    def size(self, name):
        return len(self._open(name).read())

    def url(self, name):
        raise NotImplementedError("Attachments in the outbox have no public address.")
