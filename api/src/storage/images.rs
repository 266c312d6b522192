//! Images: their dimensions and a thumbnail (longest side `THUMBNAIL_SIDE`), decoded
//! within limits so a small file that unpacks to a huge bitmap is refused, not decoded.
//! CPU work: callers run it off the async runtime (`spawn_blocking`).

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

use crate::domain::attachments::THUMBNAIL_SIDE;

/// The largest bitmap decoded (pixels a side, bytes in all).
const MAX_SIDE: u32 = 40_000;
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// Thumbnails are JPEG: small for photos and screenshots alike.
pub const THUMBNAIL_TYPE: &str = "image/jpeg";

/// What a decoded image gave.
pub struct Probed {
    pub width: u32,
    pub height: u32,
    /// The thumbnail (`THUMBNAIL_TYPE`, transparency on white); `None` when the image is
    /// no larger than a thumbnail.
    pub thumbnail: Option<Vec<u8>>,
}

fn format_of(content_type: &str) -> Option<ImageFormat> {
    Some(match content_type {
        "image/png" => ImageFormat::Png,
        "image/jpeg" => ImageFormat::Jpeg,
        "image/gif" => ImageFormat::Gif,
        "image/webp" => ImageFormat::WebP,
        _ => return None,
    })
}

/// Decodes the image; `Err` when it is not a readable image of its type (or too large).
pub fn probe(content_type: &str, bytes: &[u8]) -> anyhow::Result<Probed> {
    let format =
        format_of(content_type).ok_or_else(|| anyhow::anyhow!("{content_type} is not decoded"))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let img = reader.decode()?;
    let (width, height) = (img.width(), img.height());
    let thumbnail = if width.max(height) > THUMBNAIL_SIDE {
        let small = img.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE).to_rgba8();
        // JPEG has no transparency: blend onto white, as the conversation shows it.
        let flat = image::RgbImage::from_fn(small.width(), small.height(), |x, y| {
            let [r, g, b, a] = small.get_pixel(x, y).0;
            let over = |c: u8| {
                let (c, a) = (u16::from(c), u16::from(a));
                u8::try_from((c * a + 255 * (255 - a)) / 255).unwrap_or(255)
            };
            image::Rgb([over(r), over(g), over(b)])
        });
        let mut out = Cursor::new(Vec::new());
        flat.write_to(&mut out, ImageFormat::Jpeg)?;
        Some(out.into_inner())
    } else {
        None
    };
    Ok(Probed {
        width,
        height,
        thumbnail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32, alpha: bool) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        if alpha {
            image::RgbaImage::from_pixel(w, h, image::Rgba([10, 20, 30, 128]))
                .write_to(&mut out, ImageFormat::Png)
                .ok();
        } else {
            image::RgbImage::from_pixel(w, h, image::Rgb([10, 20, 30]))
                .write_to(&mut out, ImageFormat::Png)
                .ok();
        }
        out.into_inner()
    }

    #[test]
    fn large_images_get_a_thumbnail_small_ones_none() -> anyhow::Result<()> {
        let p = probe("image/png", &png(1280, 640, false))?;
        assert_eq!((p.width, p.height), (1280, 640));
        let thumb = p.thumbnail.ok_or_else(|| anyhow::anyhow!("no thumbnail"))?;
        assert!(thumb.starts_with(&[0xff, 0xd8, 0xff]), "a JPEG");
        let small = image::load_from_memory(&thumb)?;
        assert_eq!((small.width(), small.height()), (320, 160));

        // Transparency is blended onto white.
        let p = probe("image/png", &png(800, 400, true))?;
        let thumb = p.thumbnail.ok_or_else(|| anyhow::anyhow!("no thumbnail"))?;
        let px = image::load_from_memory(&thumb)?
            .to_rgb8()
            .get_pixel(10, 10)
            .0;
        assert!(px.iter().all(|c| *c > 100), "{px:?}");
        assert!(
            probe("image/png", &png(100, 50, false))?
                .thumbnail
                .is_none()
        );
        Ok(())
    }

    #[test]
    fn broken_and_oversized_images_are_refused() {
        assert!(probe("image/png", b"\x89PNG\r\n\x1a\nnot really").is_err());
        assert!(probe("application/pdf", b"%PDF-1.4").is_err());
        // 20,000 × 20,000 declared in a tiny file: refused by the limits, not decoded.
        let mut huge = png(1, 1, false);
        // IHDR width/height live at bytes 16..24; the CRC no longer matches either way.
        huge[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        assert!(probe("image/png", &huge).is_err());
    }
}
