//! A small PDF writer for A4 documents (voting-material letters, printable lists, PV):
//! text in an embedded free font (DejaVu Sans, `assets/fonts`, Bitstream Vera licence) with
//! a ToUnicode map so the text can be searched and extracted, lines, rectangles and JPEG
//! images (chamber logos, embedded as they are). Coordinates are millimetres from the
//! top-left corner of the page; sizes in points. Bold is drawn by stroking the glyph
//! outline, which avoids embedding a second font.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, TextRenderingMode, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::error::{AdminError, AdminResult};

static FONT_BYTES: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

/// A4 width in points.
pub const PAGE_WIDTH: f32 = 595.28;
/// A4 height in points.
pub const PAGE_HEIGHT: f32 = 841.89;
/// A4 width in millimetres.
pub const WIDTH_MM: f32 = 210.0;
/// A4 height in millimetres.
pub const HEIGHT_MM: f32 = 297.0;

fn pt(mm: f32) -> f32 {
    mm * 72.0 / 25.4
}

struct FontInfo {
    units: f32,
    ascent: f32,
    descent: f32,
    cap_height: f32,
    bbox: Rect,
    // char → (glyph id, advance in 1/1000 em)
    cmap: std::collections::HashMap<char, (u16, f32)>,
    fallback: (u16, f32),
}

fn font() -> &'static FontInfo {
    static INFO: OnceLock<FontInfo> = OnceLock::new();
    INFO.get_or_init(|| {
        let face = ttf_parser::Face::parse(FONT_BYTES, 0)
            .unwrap_or_else(|_| unreachable!("the embedded font parses"));
        let units = f32::from(face.units_per_em());
        let scale = |v: f32| v * 1000.0 / units;
        let mut cmap = std::collections::HashMap::new();
        let advance =
            |g: ttf_parser::GlyphId| scale(f32::from(face.glyph_hor_advance(g).unwrap_or(0)));
        // Latin, Latin-1, Latin Extended-A, general punctuation and a few symbols: every
        // character of French text and names.
        let ranges = [
            (0x20u32, 0x7e),
            (0xa0, 0x17f),
            (0x2010, 0x2044),
            (0x20ac, 0x20ac),
            (0x2116, 0x2122),
            (0x2190, 0x21ff),
            (0x25a0, 0x25ff),
        ];
        for (a, b) in ranges {
            for u in a..=b {
                if let Some(c) = char::from_u32(u)
                    && let Some(g) = face.glyph_index(c)
                {
                    cmap.insert(c, (g.0, advance(g)));
                }
            }
        }
        let q = face.glyph_index('?').unwrap_or(ttf_parser::GlyphId(0));
        let b = face.global_bounding_box();
        FontInfo {
            units,
            ascent: scale(f32::from(face.ascender())),
            descent: scale(f32::from(face.descender())),
            cap_height: scale(f32::from(face.capital_height().unwrap_or(face.ascender()))),
            bbox: Rect::new(
                scale(f32::from(b.x_min)),
                scale(f32::from(b.y_min)),
                scale(f32::from(b.x_max)),
                scale(f32::from(b.y_max)),
            ),
            cmap,
            fallback: (q.0, advance(q)),
        }
    })
}

/// Text style.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Style {
    /// Size in points.
    pub size: f32,
    /// Bold (stroked outline).
    pub bold: bool,
    /// Grey level, 0 black … 1 white.
    pub gray: f32,
}

impl Style {
    /// Regular black text of a size.
    pub fn regular(size: f32) -> Style {
        Style {
            size,
            bold: false,
            gray: 0.0,
        }
    }

    /// Bold black text of a size.
    pub fn bold(size: f32) -> Style {
        Style {
            size,
            bold: true,
            gray: 0.0,
        }
    }
}

struct Image {
    width: u32,
    height: u32,
    components: u8,
    jpeg: Vec<u8>,
}

/// An A4 document being written.
pub struct Document {
    title: String,
    pages: Vec<Content>,
    glyphs: BTreeMap<u16, char>,
    images: Vec<Image>,
    page_images: Vec<Vec<usize>>,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("title", &self.title)
            .field("pages", &self.pages.len())
            .finish()
    }
}

/// The width of a text in points.
pub fn text_width(text: &str, size: f32) -> f32 {
    let f = font();
    text.chars()
        .map(|c| f.cmap.get(&c).unwrap_or(&f.fallback).1)
        .sum::<f32>()
        * size
        / 1000.0
}

/// Splits a text into lines no wider than `width_mm` at `size` (words kept whole unless a
/// single word is wider than the line).
pub fn wrap(text: &str, width_mm: f32, size: f32) -> Vec<String> {
    let max = pt(width_mm);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if text_width(&candidate, size) <= max || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line = word.to_owned();
            }
        }
        lines.push(line);
    }
    lines
}

/// Width and height and colour components of a baseline or progressive JPEG.
fn jpeg_info(bytes: &[u8]) -> Option<(u32, u32, u8)> {
    if !bytes.starts_with(&[0xff, 0xd8]) {
        return None;
    }
    let mut i = 2;
    while i + 9 < bytes.len() {
        if bytes[i] != 0xff {
            return None;
        }
        let marker = bytes[i + 1];
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if matches!(marker, 0xc0..=0xc3 | 0xc5..=0xc7 | 0xc9..=0xcb | 0xcd..=0xcf) {
            let h = u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]);
            let w = u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]);
            let comps = bytes[i + 9];
            return Some((u32::from(w), u32::from(h), comps));
        }
        i += 2 + len;
    }
    None
}

/// Whether bytes are a JPEG this writer can embed (greyscale or RGB).
pub fn is_embeddable_jpeg(bytes: &[u8]) -> bool {
    matches!(jpeg_info(bytes), Some((w, h, 1 | 3)) if w > 0 && h > 0)
}

impl Document {
    /// An empty document with a title (shown by viewers).
    pub fn new(title: &str) -> Document {
        Document {
            title: title.to_owned(),
            pages: Vec::new(),
            glyphs: BTreeMap::new(),
            images: Vec::new(),
            page_images: Vec::new(),
        }
    }

    /// Adds an A4 page and returns its index.
    pub fn add_page(&mut self) -> usize {
        self.pages.push(Content::new());
        self.page_images.push(Vec::new());
        self.pages.len() - 1
    }

    /// Number of pages.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    fn encode(&mut self, text: &str) -> Vec<u8> {
        let f = font();
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let (g, _) = *f.cmap.get(&c).unwrap_or(&f.fallback);
            self.glyphs
                .entry(g)
                .or_insert(if f.cmap.contains_key(&c) { c } else { '?' });
            out.extend_from_slice(&g.to_be_bytes());
        }
        out
    }

    /// Writes a line of text with its baseline at (`x`, `y`) mm.
    pub fn text(&mut self, page: usize, x: f32, y: f32, style: Style, text: &str) {
        let bytes = self.encode(text);
        let c = &mut self.pages[page];
        c.save_state();
        c.set_fill_gray(style.gray);
        if style.bold {
            c.set_stroke_gray(style.gray);
            c.set_line_width(style.size * 0.035);
        }
        c.begin_text();
        c.set_font(Name(b"F1"), style.size);
        if style.bold {
            c.set_text_rendering_mode(TextRenderingMode::FillStroke);
        }
        c.next_line(pt(x), PAGE_HEIGHT - pt(y));
        c.show(Str(&bytes));
        c.end_text();
        c.restore_state();
    }

    /// Writes text right-aligned to `right` mm.
    pub fn text_right(&mut self, page: usize, right: f32, y: f32, style: Style, text: &str) {
        let w = text_width(text, style.size) * 25.4 / 72.0;
        self.text(page, right - w, y, style, text);
    }

    /// Writes a paragraph wrapped to `width` mm from baseline `y`; returns the baseline
    /// after its last line.
    pub fn paragraph(
        &mut self,
        page: usize,
        x: f32,
        y: f32,
        width: f32,
        style: Style,
        text: &str,
    ) -> f32 {
        let leading = style.size * 1.35 * 25.4 / 72.0;
        let mut y = y;
        for line in wrap(text, width, style.size) {
            self.text(page, x, y, style, &line);
            y += leading;
        }
        y
    }

    /// A straight line between two points (mm), `width` in points.
    pub fn line(&mut self, page: usize, from: (f32, f32), to: (f32, f32), width: f32) {
        let c = &mut self.pages[page];
        c.set_line_width(width);
        c.move_to(pt(from.0), PAGE_HEIGHT - pt(from.1));
        c.line_to(pt(to.0), PAGE_HEIGHT - pt(to.1));
        c.stroke();
    }

    /// A rectangle with its top-left corner at (`x`, `y`) mm, filled with a grey level
    /// and/or stroked.
    // Position and size are four plain numbers, as in every drawing API; a struct for them
    // would only add noise at the call sites.
    #[allow(clippy::too_many_arguments)]
    pub fn rect(
        &mut self,
        page: usize,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill_gray: Option<f32>,
        stroke: bool,
    ) {
        let c = &mut self.pages[page];
        c.save_state();
        c.rect(pt(x), PAGE_HEIGHT - pt(y + h), pt(w), pt(h));
        match (fill_gray, stroke) {
            (Some(g), true) => {
                c.set_fill_gray(g);
                c.fill_nonzero_and_stroke();
            }
            (Some(g), false) => {
                c.set_fill_gray(g);
                c.fill_nonzero();
            }
            (None, _) => {
                c.stroke();
            }
        }
        c.restore_state();
    }

    /// Places a JPEG in the box at (`x`, `y`) mm of width `w` mm, keeping its proportions;
    /// returns the height used (mm).
    pub fn jpeg(&mut self, page: usize, x: f32, y: f32, w: f32, jpeg: &[u8]) -> AdminResult<f32> {
        let (width, height, components) = jpeg_info(jpeg)
            .filter(|(w, h, c)| *w > 0 && *h > 0 && matches!(c, 1 | 3))
            .ok_or_else(|| {
                AdminError::Invalid("image JPEG illisible (niveaux de gris ou RVB attendus)".into())
            })?;
        let index = self.images.len();
        self.images.push(Image {
            width,
            height,
            components,
            jpeg: jpeg.to_vec(),
        });
        self.page_images[page].push(index);
        let h = w * height as f32 / width as f32;
        let c = &mut self.pages[page];
        c.save_state();
        c.transform([pt(w), 0.0, 0.0, pt(h), pt(x), PAGE_HEIGHT - pt(y + h)]);
        c.x_object(Name(format!("Im{index}").as_bytes()));
        c.restore_state();
        Ok(h)
    }

    /// The PDF bytes.
    pub fn finish(self) -> Vec<u8> {
        let f = font();
        let mut pdf = Pdf::new();
        let mut next = 1;
        let mut alloc = || {
            let r = Ref::new(next);
            next += 1;
            r
        };
        let catalog = alloc();
        let tree = alloc();
        let info = alloc();
        let font_id = alloc();
        let cid_id = alloc();
        let descriptor = alloc();
        let file = alloc();
        let cmap_id = alloc();
        let page_ids: Vec<(Ref, Ref)> = self.pages.iter().map(|_| (alloc(), alloc())).collect();
        let image_ids: Vec<Ref> = self.images.iter().map(|_| alloc()).collect();

        pdf.catalog(catalog).pages(tree).lang(TextStr("fr"));
        pdf.document_info(info)
            .title(TextStr(&self.title))
            .producer(TextStr("scrutin"));
        pdf.pages(tree)
            .kids(page_ids.iter().map(|(p, _)| *p))
            .count(page_ids.len() as i32);

        let base = Name(b"DejaVuSans");
        pdf.type0_font(font_id)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_id)
            .to_unicode(cmap_id);
        {
            let mut cid = pdf.cid_font(cid_id);
            cid.subtype(CidFontType::Type2)
                .base_font(base)
                .system_info(SystemInfo {
                    registry: Str(b"Adobe"),
                    ordering: Str(b"Identity"),
                    supplement: 0,
                })
                .font_descriptor(descriptor)
                .default_width(f.fallback.1)
                .cid_to_gid_map_predefined(Name(b"Identity"));
            let mut widths = cid.widths();
            let advances: BTreeMap<u16, f32> = f.cmap.values().copied().collect();
            for g in self.glyphs.keys() {
                widths.consecutive(*g, [advances.get(g).copied().unwrap_or(f.fallback.1)]);
            }
        }
        pdf.font_descriptor(descriptor)
            .name(base)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(f.bbox)
            .italic_angle(0.0)
            .ascent(f.ascent)
            .descent(f.descent)
            .cap_height(f.cap_height)
            .stem_v(80.0)
            .font_file2(file);
        pdf.stream(file, FONT_BYTES)
            .pair(Name(b"Length1"), FONT_BYTES.len() as i32);
        let mut cmap = UnicodeCmap::new(
            Name(b"Scrutin-UTF16"),
            SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"UCS"),
                supplement: 0,
            },
        );
        for (g, c) in &self.glyphs {
            cmap.pair(*g, *c);
        }
        let cmap_bytes = cmap.finish();
        pdf.cmap(cmap_id, &cmap_bytes);
        let _ = f.units;

        for ((image, id), _) in self.images.iter().zip(&image_ids).zip(0..) {
            let mut x = pdf.image_xobject(*id, &image.jpeg);
            x.filter(Filter::DctDecode);
            x.width(image.width as i32);
            x.height(image.height as i32);
            if image.components == 1 {
                x.color_space().device_gray();
            } else {
                x.color_space().device_rgb();
            }
            x.bits_per_component(8);
            x.finish();
        }

        for (i, (content, (page_id, content_id))) in
            self.pages.into_iter().zip(&page_ids).enumerate()
        {
            let bytes = content.finish();
            pdf.stream(*content_id, &bytes);
            let mut page = pdf.page(*page_id);
            page.parent(tree)
                .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .contents(*content_id);
            let mut resources = page.resources();
            resources.fonts().pair(Name(b"F1"), font_id);
            if !self.page_images[i].is_empty() {
                let mut xo = resources.x_objects();
                for index in &self.page_images[i] {
                    xo.pair(Name(format!("Im{index}").as_bytes()), image_ids[*index]);
                }
            }
        }
        pdf.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_on_words_and_measures_text() {
        assert!(text_width("Élections", 12.0) > text_width("El", 12.0));
        let lines = wrap(
            "un deux trois quatre cinq six sept huit neuf dix",
            30.0,
            12.0,
        );
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l, 12.0) <= pt(30.0)));
        assert_eq!(
            lines.join(" "),
            "un deux trois quatre cinq six sept huit neuf dix"
        );
    }

    #[test]
    fn document_is_a_pdf_with_the_font_and_unicode_map() {
        let mut d = Document::new("Essai");
        let p = d.add_page();
        d.text(
            p,
            20.0,
            20.0,
            Style::bold(14.0),
            "Élections des membres — CCI de l'Ain",
        );
        d.rect(p, 10.0, 10.0, 50.0, 20.0, Some(0.9), true);
        d.line(p, (10.0, 40.0), (200.0, 40.0), 0.5);
        let bytes = d.finish();
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("/FontFile2")
                && text.contains("/ToUnicode")
                && text.contains("Identity-H")
        );
    }

    #[test]
    fn jpeg_header_is_read() {
        // SOI, APP0 of length 16, SOF0 8-bit 2×3 RGB.
        let mut j = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10];
        j.extend_from_slice(&[0u8; 14]);
        j.extend_from_slice(&[0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x03, 0x00, 0x02, 0x03]);
        j.extend_from_slice(&[0u8; 9]);
        assert_eq!(jpeg_info(&j), Some((2, 3, 3)));
        assert!(is_embeddable_jpeg(&j));
        assert!(!is_embeddable_jpeg(b"\x89PNG"));
    }
}
