//! CSS colours as a deployer writes them in `brand.css` (`#hex`, `rgb()`, `hsl()`, a name), and
//! their contrast as WCAG 2 defines it.

/// An sRGB colour, each channel from 0 to 1, with its opacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colour {
    pub red: f64,
    pub green: f64,
    pub blue: f64,
    pub alpha: f64,
}

impl Colour {
    pub const WHITE: Colour = Colour::opaque(1.0, 1.0, 1.0);
    pub const BLACK: Colour = Colour::opaque(0.0, 0.0, 0.0);

    const fn opaque(red: f64, green: f64, blue: f64) -> Colour {
        Colour {
            red,
            green,
            blue,
            alpha: 1.0,
        }
    }

    fn from_hex_number(rgb: u32) -> Colour {
        let channel = |shift: u32| f64::from((rgb >> shift) & 0xff) / 255.0;
        Colour::opaque(channel(16), channel(8), channel(0))
    }

    /// A CSS colour value; `None` for anything else (`var()`, `currentcolor`, `color-mix()`).
    pub fn parse(value: &str) -> Option<Colour> {
        let value = value.trim().to_ascii_lowercase();
        if let Some(hex) = value.strip_prefix('#') {
            return parse_hex(hex);
        }
        if let Some((function, arguments)) = value.split_once('(') {
            let arguments = arguments.strip_suffix(')')?;
            return match function.trim() {
                "rgb" | "rgba" => parse_rgb(arguments),
                "hsl" | "hsla" => parse_hsl(arguments),
                _ => None,
            };
        }
        if value == "transparent" {
            return Some(Colour {
                alpha: 0.0,
                ..Colour::BLACK
            });
        }
        NAMED
            .iter()
            .find(|(name, _)| *name == value)
            .map(|(_, rgb)| Colour::from_hex_number(*rgb))
    }

    /// This colour painted over `background` (taken as opaque).
    pub fn over(self, background: Colour) -> Colour {
        let mix = |top: f64, bottom: f64| top * self.alpha + bottom * (1.0 - self.alpha);
        Colour::opaque(
            mix(self.red, background.red),
            mix(self.green, background.green),
            mix(self.blue, background.blue),
        )
    }

    /// WCAG 2's relative luminance, of the colour as painted (opaque).
    fn luminance(self) -> f64 {
        let linear = |c: f64| {
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.red) + 0.7152 * linear(self.green) + 0.0722 * linear(self.blue)
    }

    /// `#rrggbb`, as a person would write it back (opacity left out).
    pub fn hex(self) -> String {
        let byte = |c: f64| (c.clamp(0.0, 1.0) * 255.0).round() as u8;
        format!(
            "#{:02x}{:02x}{:02x}",
            byte(self.red),
            byte(self.green),
            byte(self.blue)
        )
    }
}

/// WCAG 2's contrast ratio (1 to 21) of `foreground` painted over `background`.
pub fn contrast(foreground: Colour, background: Colour) -> f64 {
    let foreground = foreground.over(background);
    let (a, b) = (foreground.luminance(), background.luminance());
    let (light, dark) = if a > b { (a, b) } else { (b, a) };
    (light + 0.05) / (dark + 0.05)
}

fn parse_hex(hex: &str) -> Option<Colour> {
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize| u8::from_str_radix(&hex[i..=i], 16).ok();
    let pair = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    let (channels, alpha): ([u8; 3], Option<u8>) = match hex.len() {
        3 | 4 => {
            let short = |i| digit(i).map(|d| d * 17);
            let alpha = if hex.len() == 4 {
                Some(short(3)?)
            } else {
                None
            };
            ([short(0)?, short(1)?, short(2)?], alpha)
        }
        6 | 8 => {
            let alpha = if hex.len() == 8 { Some(pair(6)?) } else { None };
            ([pair(0)?, pair(2)?, pair(4)?], alpha)
        }
        _ => return None,
    };
    let unit = |byte: u8| f64::from(byte) / 255.0;
    Some(Colour {
        red: unit(channels[0]),
        green: unit(channels[1]),
        blue: unit(channels[2]),
        alpha: alpha.map_or(1.0, unit),
    })
}

/// The arguments of `rgb()`/`hsl()`, in either syntax: `1, 2, 3, 0.5` or `1 2 3 / 50%`.
fn arguments(text: &str) -> Option<(Vec<&str>, Option<&str>)> {
    let (channels, alpha) = match text.split_once('/') {
        Some((channels, alpha)) => (channels, Some(alpha.trim())),
        None => (text, None),
    };
    let mut parts: Vec<&str> = if channels.contains(',') {
        channels.split(',').map(str::trim).collect()
    } else {
        channels.split_whitespace().collect()
    };
    let alpha = match (alpha, parts.len()) {
        (Some(alpha), 3) => Some(alpha),
        (None, 4) => parts.pop(),
        (None, 3) => None,
        _ => return None,
    };
    Some((parts, alpha))
}

/// A number, or a percentage of `full`.
fn number(text: &str, full: f64) -> Option<f64> {
    match text.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().ok().map(|p| p / 100.0 * full),
        None => text.parse::<f64>().ok(),
    }
    .filter(|n| n.is_finite())
}

fn parse_alpha(alpha: Option<&str>) -> Option<f64> {
    alpha.map_or(Some(1.0), |a| number(a, 1.0).map(|a| a.clamp(0.0, 1.0)))
}

fn parse_rgb(text: &str) -> Option<Colour> {
    let (parts, alpha) = arguments(text)?;
    let channel = |i: usize| number(parts[i], 255.0).map(|c| (c / 255.0).clamp(0.0, 1.0));
    Some(Colour {
        red: channel(0)?,
        green: channel(1)?,
        blue: channel(2)?,
        alpha: parse_alpha(alpha)?,
    })
}

fn parse_hsl(text: &str) -> Option<Colour> {
    let (parts, alpha) = arguments(text)?;
    let hue = parts[0]
        .strip_suffix("deg")
        .unwrap_or(parts[0])
        .parse::<f64>()
        .ok()?;
    let saturation = number(parts[1], 1.0)?.clamp(0.0, 1.0);
    let lightness = number(parts[2], 1.0)?.clamp(0.0, 1.0);
    // CSS Color 4's hsl-to-rgb.
    let channel = |n: f64| {
        let k = (n + hue / 30.0).rem_euclid(12.0);
        let a = saturation * lightness.min(1.0 - lightness);
        lightness - a * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0)
    };
    Some(Colour {
        red: channel(0.0),
        green: channel(8.0),
        blue: channel(4.0),
        alpha: parse_alpha(alpha)?,
    })
}

/// CSS's named colours.
const NAMED: [(&str, u32); 148] = [
    ("aliceblue", 0xf0f8ff),
    ("antiquewhite", 0xfaebd7),
    ("aqua", 0x00ffff),
    ("aquamarine", 0x7fffd4),
    ("azure", 0xf0ffff),
    ("beige", 0xf5f5dc),
    ("bisque", 0xffe4c4),
    ("black", 0x000000),
    ("blanchedalmond", 0xffebcd),
    ("blue", 0x0000ff),
    ("blueviolet", 0x8a2be2),
    ("brown", 0xa52a2a),
    ("burlywood", 0xdeb887),
    ("cadetblue", 0x5f9ea0),
    ("chartreuse", 0x7fff00),
    ("chocolate", 0xd2691e),
    ("coral", 0xff7f50),
    ("cornflowerblue", 0x6495ed),
    ("cornsilk", 0xfff8dc),
    ("crimson", 0xdc143c),
    ("cyan", 0x00ffff),
    ("darkblue", 0x00008b),
    ("darkcyan", 0x008b8b),
    ("darkgoldenrod", 0xb8860b),
    ("darkgray", 0xa9a9a9),
    ("darkgreen", 0x006400),
    ("darkgrey", 0xa9a9a9),
    ("darkkhaki", 0xbdb76b),
    ("darkmagenta", 0x8b008b),
    ("darkolivegreen", 0x556b2f),
    ("darkorange", 0xff8c00),
    ("darkorchid", 0x9932cc),
    ("darkred", 0x8b0000),
    ("darksalmon", 0xe9967a),
    ("darkseagreen", 0x8fbc8f),
    ("darkslateblue", 0x483d8b),
    ("darkslategray", 0x2f4f4f),
    ("darkslategrey", 0x2f4f4f),
    ("darkturquoise", 0x00ced1),
    ("darkviolet", 0x9400d3),
    ("deeppink", 0xff1493),
    ("deepskyblue", 0x00bfff),
    ("dimgray", 0x696969),
    ("dimgrey", 0x696969),
    ("dodgerblue", 0x1e90ff),
    ("firebrick", 0xb22222),
    ("floralwhite", 0xfffaf0),
    ("forestgreen", 0x228b22),
    ("fuchsia", 0xff00ff),
    ("gainsboro", 0xdcdcdc),
    ("ghostwhite", 0xf8f8ff),
    ("gold", 0xffd700),
    ("goldenrod", 0xdaa520),
    ("gray", 0x808080),
    ("green", 0x008000),
    ("greenyellow", 0xadff2f),
    ("grey", 0x808080),
    ("honeydew", 0xf0fff0),
    ("hotpink", 0xff69b4),
    ("indianred", 0xcd5c5c),
    ("indigo", 0x4b0082),
    ("ivory", 0xfffff0),
    ("khaki", 0xf0e68c),
    ("lavender", 0xe6e6fa),
    ("lavenderblush", 0xfff0f5),
    ("lawngreen", 0x7cfc00),
    ("lemonchiffon", 0xfffacd),
    ("lightblue", 0xadd8e6),
    ("lightcoral", 0xf08080),
    ("lightcyan", 0xe0ffff),
    ("lightgoldenrodyellow", 0xfafad2),
    ("lightgray", 0xd3d3d3),
    ("lightgreen", 0x90ee90),
    ("lightgrey", 0xd3d3d3),
    ("lightpink", 0xffb6c1),
    ("lightsalmon", 0xffa07a),
    ("lightseagreen", 0x20b2aa),
    ("lightskyblue", 0x87cefa),
    ("lightslategray", 0x778899),
    ("lightslategrey", 0x778899),
    ("lightsteelblue", 0xb0c4de),
    ("lightyellow", 0xffffe0),
    ("lime", 0x00ff00),
    ("limegreen", 0x32cd32),
    ("linen", 0xfaf0e6),
    ("magenta", 0xff00ff),
    ("maroon", 0x800000),
    ("mediumaquamarine", 0x66cdaa),
    ("mediumblue", 0x0000cd),
    ("mediumorchid", 0xba55d3),
    ("mediumpurple", 0x9370db),
    ("mediumseagreen", 0x3cb371),
    ("mediumslateblue", 0x7b68ee),
    ("mediumspringgreen", 0x00fa9a),
    ("mediumturquoise", 0x48d1cc),
    ("mediumvioletred", 0xc71585),
    ("midnightblue", 0x191970),
    ("mintcream", 0xf5fffa),
    ("mistyrose", 0xffe4e1),
    ("moccasin", 0xffe4b5),
    ("navajowhite", 0xffdead),
    ("navy", 0x000080),
    ("oldlace", 0xfdf5e6),
    ("olive", 0x808000),
    ("olivedrab", 0x6b8e23),
    ("orange", 0xffa500),
    ("orangered", 0xff4500),
    ("orchid", 0xda70d6),
    ("palegoldenrod", 0xeee8aa),
    ("palegreen", 0x98fb98),
    ("paleturquoise", 0xafeeee),
    ("palevioletred", 0xdb7093),
    ("papayawhip", 0xffefd5),
    ("peachpuff", 0xffdab9),
    ("peru", 0xcd853f),
    ("pink", 0xffc0cb),
    ("plum", 0xdda0dd),
    ("powderblue", 0xb0e0e6),
    ("purple", 0x800080),
    ("rebeccapurple", 0x663399),
    ("red", 0xff0000),
    ("rosybrown", 0xbc8f8f),
    ("royalblue", 0x4169e1),
    ("saddlebrown", 0x8b4513),
    ("salmon", 0xfa8072),
    ("sandybrown", 0xf4a460),
    ("seagreen", 0x2e8b57),
    ("seashell", 0xfff5ee),
    ("sienna", 0xa0522d),
    ("silver", 0xc0c0c0),
    ("skyblue", 0x87ceeb),
    ("slateblue", 0x6a5acd),
    ("slategray", 0x708090),
    ("slategrey", 0x708090),
    ("snow", 0xfffafa),
    ("springgreen", 0x00ff7f),
    ("steelblue", 0x4682b4),
    ("tan", 0xd2b48c),
    ("teal", 0x008080),
    ("thistle", 0xd8bfd8),
    ("tomato", 0xff6347),
    ("turquoise", 0x40e0d0),
    ("violet", 0xee82ee),
    ("wheat", 0xf5deb3),
    ("white", 0xffffff),
    ("whitesmoke", 0xf5f5f5),
    ("yellow", 0xffff00),
    ("yellowgreen", 0x9acd32),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(value: &str) -> String {
        Colour::parse(value)
            .unwrap_or_else(|| panic!("{value} does not parse"))
            .hex()
    }

    #[test]
    fn every_spelling_of_one_colour_reads_the_same() {
        for spelling in [
            "#1d4ed8",
            "#1D4ED8",
            "#1d4ed8ff",
            "rgb(29, 78, 216)",
            "rgb(29 78 216)",
            "rgba(29,78,216,1)",
            "rgb(29 78 216 / 100%)",
            "  rgb( 29 , 78 , 216 )  ",
        ] {
            assert_eq!(hex(spelling), "#1d4ed8", "{spelling}");
        }
        assert_eq!(hex("#fff"), "#ffffff");
        assert_eq!(hex("#0a0"), "#00aa00");
        assert_eq!(hex("rgb(100%, 0%, 50%)"), "#ff0080");
        assert_eq!(hex("RebeccaPurple"), "#663399");
        assert_eq!(hex("white"), "#ffffff");
        assert_eq!(hex("hsl(0, 100%, 50%)"), "#ff0000");
        assert_eq!(hex("hsl(120deg 100% 25%)"), "#008000");
        assert_eq!(hex("hsl(240 100% 50% / .5)"), "#0000ff");
    }

    #[test]
    fn opacity_is_read() {
        assert_eq!(Colour::parse("#0008").unwrap().alpha, 0x88 as f64 / 255.0);
        assert_eq!(Colour::parse("rgba(0,0,0,0.5)").unwrap().alpha, 0.5);
        assert_eq!(Colour::parse("rgb(0 0 0 / 25%)").unwrap().alpha, 0.25);
        assert_eq!(Colour::parse("transparent").unwrap().alpha, 0.0);
    }

    #[test]
    fn what_is_not_a_colour_here_is_refused() {
        for value in [
            "",
            "#12",
            "#12345",
            "#ggg",
            "rgb(1, 2)",
            "rgb(1 2 3 4 5)",
            "var(--brand-accent)",
            "currentcolor",
            "color-mix(in srgb, red, blue)",
            "notacolour",
            "rgb(a, b, c)",
        ] {
            assert_eq!(Colour::parse(value), None, "{value}");
        }
    }

    #[test]
    fn contrast_matches_wcag_figures() {
        let ratio = |a: &str, b: &str| {
            let r = contrast(Colour::parse(a).unwrap(), Colour::parse(b).unwrap());
            (r * 100.0).round() / 100.0
        };
        assert_eq!(ratio("black", "white"), 21.0);
        assert_eq!(ratio("white", "white"), 1.0);
        // Symmetric, and the figures the WebAIM checker gives.
        assert_eq!(ratio("#767676", "#fff"), 4.54);
        assert_eq!(ratio("#fff", "#767676"), 4.54);
        assert_eq!(ratio("#777", "#fff"), 4.48);
        assert_eq!(ratio("#1d4ed8", "#fff"), 6.7);
    }

    #[test]
    fn a_translucent_colour_is_judged_as_painted() {
        // Half-transparent black on white paints #808080 (near enough).
        let painted = Colour::parse("rgb(0 0 0 / 50%)")
            .unwrap()
            .over(Colour::WHITE);
        assert_eq!(painted.hex(), "#808080");
        let faint = contrast(Colour::parse("#0000").unwrap(), Colour::WHITE);
        assert_eq!(faint, 1.0);
    }
}
