import { openSync, readSync, closeSync } from 'node:fs';

export interface ImageSize {
  width: number;
  height: number;
  type: 'png' | 'jpeg' | 'gif';
}

/**
 * The pixel size of a PNG, JPEG or GIF, read from its header: the three formats every email client shows
 * (SVG and WebP are not, so a logo in them would be a broken image in Outlook or Gmail). Null for any
 * other file or a header that does not parse.
 *
 * @example
 * imageSize('data/brand/logo.png'); // { width: 720, height: 96, type: 'png' }
 */
export function imageSize(file: string): ImageSize | null {
  const fd = openSync(file, 'r');
  try {
    // JPEG's frame header can sit after large EXIF blocks; 256 KB is well past any logo's metadata.
    const buffer = Buffer.alloc(256 * 1024);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return sizeOf(buffer.subarray(0, length));
  } finally {
    closeSync(fd);
  }
}

function sizeOf(b: Buffer): ImageSize | null {
  // PNG: signature, then the IHDR chunk with width and height as big-endian 32-bit (RFC 2083 §4.1.1).
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') {
    return positive({ width: b.readUInt32BE(16), height: b.readUInt32BE(20), type: 'png' });
  }
  // GIF87a/89a: logical screen width and height, little-endian 16-bit.
  if (b.length >= 10 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) {
    return positive({ width: b.readUInt16LE(6), height: b.readUInt16LE(8), type: 'gif' });
  }
  // JPEG: walk the segments to the first start-of-frame (SOF0–SOF15 except DHT C4, JPG C8, DAC CC).
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let at = 2;
    while (at + 9 < b.length) {
      if (b[at] !== 0xff) return null;
      const marker = b[at + 1]!;
      if (marker === 0xff) {
        at++;
        continue;
      }
      const length = b.readUInt16BE(at + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return positive({ height: b.readUInt16BE(at + 5), width: b.readUInt16BE(at + 7), type: 'jpeg' });
      }
      at += 2 + length;
    }
  }
  return null;
}

function positive(size: ImageSize): ImageSize | null {
  return size.width > 0 && size.height > 0 ? size : null;
}
