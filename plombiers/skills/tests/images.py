"""Real, tiny images for the upload tests (Pillow), with EXIF when asked."""

import io

from PIL import Image

GPS_IFD = 0x8825
MAKE = 0x010F


def jpeg_bytes(*, with_exif: bool = False, size=(32, 24)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    buffer = io.BytesIO()
    if with_exif:
        exif = Image.Exif()
        exif[MAKE] = "Téléphone de test"
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 53.0, 1.0), 3: "E", 4: (2.0, 35.0, 50.0)})
        image.save(buffer, format="JPEG", exif=exif, quality=90)
    else:
        image.save(buffer, format="JPEG", quality=90)  # as stored: re-encoding gives the same bytes
    return buffer.getvalue()


JPEG = jpeg_bytes()
