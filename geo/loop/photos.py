"""Photos of a report back: checked before they are stored (JPEG, PNG or WebP by what the
bytes decode as, not by the name or the browser's word; at most MAX_BYTES and MAX_PIXELS),
then attached to the move in its transaction (migration 0034, case_attach). A photo is served
only to a session whose jurisdiction holds its case (case_photo)."""

import base64
import binascii
import io
from dataclasses import dataclass

import psycopg
from PIL import Image, UnidentifiedImageError

from geo.errors import UserError
from geo.loop.moves import worded

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; beyond, a "decompression bomb"
MAX_PHOTOS = 6
MIME_OF = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ATTACH = "SELECT case_attach(%s, %s, %s, %s)"
PHOTO = "SELECT name, mime, content, case_code FROM case_photo(%s)"


@dataclass(frozen=True)
class Photo:
    name: str
    mime: str
    content: bytes


def from_upload(name: str | None, data_url: str | None) -> Photo:
    """A photo from a browser upload (a data: URL, as dcc.Upload gives it); UserError when it is
    not a JPEG, PNG or WebP image within the limits."""
    name = (name or "photo")[:200]
    try:
        _header, encoded = (data_url or "").split(",", 1)
        content = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error):
        raise UserError(f"{name}: not a file upload", f"{name}：不是上传的文件") from None
    return checked(name, content)


def checked(name: str, content: bytes) -> Photo:
    """`content` as a Photo when it decodes as a JPEG, PNG or WebP within the limits."""
    if not 0 < len(content) <= MAX_BYTES:
        raise UserError(f"{name}: a photo is at most 5 MB", f"{name}：照片不能超过5 MB")
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind, pixels = image.format, image.width * image.height
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UserError(f"{name}: not a JPEG, PNG or WebP image", f"{name}：只接受 JPEG、PNG 或 WebP 图片") from None
    if kind not in MIME_OF:
        raise UserError(
            f"{name}: {kind} images are not taken (JPEG, PNG, WebP)", f"{name}：只接受 JPEG、PNG 或 WebP 图片"
        )
    if pixels > MAX_PIXELS:
        raise UserError(f"{name}: the image is too large ({pixels:,} pixels)", f"{name}：图片像素过多")
    return Photo(name, MIME_OF[kind], content)


def attach(conn: psycopg.Connection, event_id: int, photo: Photo) -> int:
    """Store `photo` with the move `event_id` (made by this session, in this transaction)."""
    try:
        return conn.execute(ATTACH, [event_id, photo.name, photo.mime, photo.content]).fetchone()[0]
    except psycopg.Error as error:
        raise worded(error) from None


def read(conn: psycopg.Connection, attachment_id: int) -> Photo | None:
    """The photo, when the session `conn` presents may see its case; None otherwise."""
    row = conn.execute(PHOTO, [attachment_id]).fetchone()
    return Photo(*row[:3]) if row else None
