//! Realistic Norwegian customers, deterministic from a seed: the common names weighted the
//! way they are in Norway (Hansen ≈ 1 % of people), a long tail of farm names, and names with
//! æ, ø and å everywhere (Ærlig, Øverland, Åsheim, Bjørg, Håkon, Åse...), because the
//! service folds them for search and uniqueness.

/// SplitMix64: fast, good enough for test data, reproducible.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// A list of names with Zipf-like weights (the first is the most common).
pub struct Weighted {
    names: Vec<&'static str>,
    cumulative: Vec<f64>,
}

impl Weighted {
    /// Weight of rank r is 1 / (r + offset): a larger offset flattens the head.
    pub fn zipf(names: &[&'static str], offset: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..names.len())
            .map(|r| {
                total += 1.0 / (r as f64 + offset);
                total
            })
            .collect();
        Self { names: names.to_vec(), cumulative }
    }

    pub fn sample(&self, rng: &mut Rng) -> &'static str {
        let total = *self.cumulative.last().expect("names");
        let x = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let i = self.cumulative.partition_point(|c| *c < x).min(self.names.len() - 1);
        self.names[i]
    }
}

/// The most common Norwegian surnames, most common first, then rarer ones with æ/ø/å.
pub const SURNAMES: &[&str] = &[
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Halvorsen",
    "Henriksen",
    "Lund",
    "Sørensen",
    "Jakobsen",
    "Moen",
    "Gundersen",
    "Iversen",
    "Strand",
    "Solberg",
    "Svendsen",
    "Eide",
    "Knutsen",
    "Martinsen",
    "Paulsen",
    "Bakken",
    "Kristoffersen",
    "Mathisen",
    "Lie",
    "Amundsen",
    "Nguyen",
    "Rasmussen",
    "Ali",
    "Lunde",
    "Solheim",
    "Berge",
    "Moe",
    "Nygård",
    "Bakke",
    "Kristensen",
    "Fredriksen",
    "Holm",
    "Lien",
    "Hauge",
    "Christensen",
    "Andresen",
    "Nielsen",
    "Knudsen",
    "Evensen",
    "Sæther",
    "Aas",
    "Myhre",
    "Hanssen",
    "Ahmed",
    "Haugland",
    "Thomassen",
    "Sivertsen",
    "Simonsen",
    "Danielsen",
    "Berntsen",
    "Sandvik",
    "Rønning",
    "Arnesen",
    "Antonsen",
    "Næss",
    "Vik",
    "Haug",
    "Ellingsen",
    "Thorsen",
    "Edvardsen",
    "Birkeland",
    "Isaksen",
    "Gulbrandsen",
    "Ruud",
    "Aasen",
    "Strøm",
    "Myklebust",
    "Tangen",
    "Ødegård",
    "Eliassen",
    "Helland",
    "Bøe",
    "Jenssen",
    "Aune",
    "Mikkelsen",
    "Tveit",
    "Brekke",
    "Abrahamsen",
    "Madsen",
    "Ærlig",
    "Øverland",
    "Åsheim",
    "Østby",
    "Bråten",
    "Løken",
    "Grønli",
    "Fjørtoft",
    "Kjærnes",
    "Sæbø",
    "Dæhlie",
    "Åsen",
    "Øien",
    "Ørnes",
    "Årdal",
    "Sørlie",
    "Nærland",
    "Bjørnstad",
    "Sætre",
    "Skjærvø",
    "Fløtten",
    "Frøysa",
    "Kvåle",
    "Løvås",
    "Måsøy",
    "Grønvold",
    "Vågen",
    "Tråsdahl",
    "Hølaas",
    "Ødegaard",
];

/// Farm-name parts: the long tail of Norwegian surnames (Bjørnstad, Solvang, Åsrud, ...).
const FARM_PREFIXES: &[&str] = &[
    "Bjørn", "Sol", "Ås", "Haug", "Berg", "Lie", "Vik", "Nes", "Dal", "Holm", "Mo", "Rød", "Øst", "Vest",
    "Nord", "Sør", "Fjell", "Skog", "Kvam", "Grøn", "Lång", "Stor", "Lille", "Øvre", "Nedre", "Bæk", "Myr",
    "Kjær", "Tøm", "Fløt", "Brå", "Hær", "Sæ", "Rå", "Lø", "Ha", "Tvei", "Fos", "Sand", "Eng",
];
const FARM_SUFFIXES: &[&str] = &[
    "stad", "vang", "rud", "heim", "land", "li", "bakken", "haug", "dal", "nes", "vik", "by", "set", "seth",
    "mo", "lund", "strand", "åsen", "øy", "fjord", "bø", "gård", "tun", "myr", "eng", "berg", "stø", "våg",
    "sæter", "rønning", "bråten", "løkken", "holt", "ås", "neset", "voll", "hus", "vold", "tveit", "ra",
];

pub const FEMALE_NAMES: &[&str] = &[
    "Anne",
    "Inger",
    "Kari",
    "Marit",
    "Ingrid",
    "Liv",
    "Eva",
    "Berit",
    "Astrid",
    "Bjørg",
    "Hilde",
    "Anna",
    "Solveig",
    "Marianne",
    "Randi",
    "Ida",
    "Nina",
    "Maria",
    "Elisabeth",
    "Kristin",
    "Bente",
    "Heidi",
    "Silje",
    "Hanne",
    "Gro",
    "Åse",
    "Tone",
    "Sigrid",
    "Ragnhild",
    "Nora",
    "Emma",
    "Sofie",
    "Ingeborg",
    "Thea",
    "Maja",
    "Sara",
    "Frida",
    "Tiril",
    "Vilde",
    "Mathilde",
    "Hedda",
    "Amalie",
    "Åshild",
    "Øydis",
    "Målfrid",
    "Solbjørg",
    "Kjærsti",
    "Bjørghild",
    "Tordis",
    "Ålaug",
];

pub const MALE_NAMES: &[&str] = &[
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Thomas", "Hans", "Geir", "Tor",
    "Morten", "Terje", "Odd", "Erik", "Martin", "Andreas", "Jon", "Rune", "Anders", "Trond", "Tore",
    "Harald", "Espen", "Øyvind", "Håkon", "Jørgen", "Ståle", "Øystein", "Pål", "Bård", "Tormod", "Sindre",
    "Jonas", "Magnus", "Henrik", "Emil", "Aksel", "Kristian", "Sondre", "Even", "Eirik", "Sverre", "Halvard",
    "Åsmund", "Jørn", "Gaute", "Ivar",
];

const STREETS: &[&str] = &[
    "Storgata",
    "Kirkegata",
    "Skolegata",
    "Parkveien",
    "Kirkeveien",
    "Strandveien",
    "Industriveien",
    "Bjørkeveien",
    "Granveien",
    "Furuveien",
    "Lindeveien",
    "Åsveien",
    "Solbakken",
    "Tunveien",
    "Skogveien",
    "Øvre Slottsgate",
    "Ærfuglveien",
    "Bjørnstjerne Bjørnsons gate",
    "Kongens gate",
    "Dronningens gate",
    "Håkon VIIs gate",
    "Nedre Storgate",
    "Fjellveien",
    "Sjøgata",
    "Løkkeveien",
    "Kløverveien",
    "Blåbærstien",
    "Tyttebærveien",
    "Måkeveien",
    "Rådhusgata",
    "Trondheimsveien",
    "Thereses gate",
    "Sørkedalsveien",
    "Øvregata",
    "Hølandsgata",
    "Bækkelagsveien",
    "Grønnegata",
    "Nøstegaten",
    "Ålgårdveien",
];

/// Post code bases and their places; each base spans 30 codes (0150–0179 OSLO, ...).
const PLACES: &[(u32, &str)] = &[
    (150, "OSLO"),
    (250, "OSLO"),
    (350, "OSLO"),
    (450, "OSLO"),
    (550, "OSLO"),
    (650, "OSLO"),
    (750, "OSLO"),
    (850, "OSLO"),
    (950, "OSLO"),
    (1050, "OSLO"),
    (1150, "OSLO"),
    (1250, "OSLO"),
    (1337, "SANDVIKA"),
    (1410, "KOLBOTN"),
    (1430, "ÅS"),
    (1530, "MOSS"),
    (1607, "FREDRIKSTAD"),
    (1710, "SARPSBORG"),
    (1767, "HALDEN"),
    (2000, "LILLESTRØM"),
    (2050, "JESSHEIM"),
    (2317, "HAMAR"),
    (2408, "ELVERUM"),
    (2609, "LILLEHAMMER"),
    (2815, "GJØVIK"),
    (3015, "DRAMMEN"),
    (3110, "TØNSBERG"),
    (3208, "SANDEFJORD"),
    (3256, "LARVIK"),
    (3510, "HØNEFOSS"),
    (3717, "SKIEN"),
    (3915, "PORSGRUNN"),
    (4006, "STAVANGER"),
    (4307, "SANDNES"),
    (4400, "FLEKKEFJORD"),
    (4612, "KRISTIANSAND S"),
    (4836, "ARENDAL"),
    (5003, "BERGEN"),
    (5055, "BERGEN"),
    (5147, "FYLLINGSDALEN"),
    (5221, "NESTTUN"),
    (5411, "STORD"),
    (5527, "HAUGESUND"),
    (6003, "ÅLESUND"),
    (6413, "MOLDE"),
    (6800, "FØRDE"),
    (7010, "TRONDHEIM"),
    (7040, "TRONDHEIM"),
    (7500, "STJØRDAL"),
    (7713, "STEINKJER"),
    (8006, "BODØ"),
    (8514, "NARVIK"),
    (8622, "MO I RANA"),
    (9008, "TROMSØ"),
    (9510, "ALTA"),
    (9600, "HAMMERFEST"),
    (9900, "KIRKENES"),
];

const EMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "hotmail.com",
    "online.no",
    "outlook.com",
    "yahoo.no",
    "icloud.com",
    "live.no",
    "getmail.no",
];

/// A customer as a client would send it (the fields of `CreateProfileBody`).
#[derive(Debug, Clone)]
pub struct Person {
    pub first_name: String,
    pub surname: String,
    pub email: Option<String>,
    pub language: Option<&'static str>,
    pub date_of_birth: String,
    /// `+47` and a mobile number written the way people write them (`912 34 567`).
    pub telephone: Option<String>,
    pub landline: Option<String>,
    pub address: Option<Address>,
    pub channel: &'static str,
}

#[derive(Debug, Clone)]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub post_code: String,
    pub city: &'static str,
}

/// Makes people. `serial` makes emails and phone numbers unique within one generator.
pub struct People {
    rng: Rng,
    surnames: Weighted,
    female: Weighted,
    male: Weighted,
}

/// ASCII for email addresses: æ → ae, ø → o, å → aa.
pub fn email_local(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .flat_map(|c| match c {
            'æ' => vec!['a', 'e'],
            'ø' => vec!['o'],
            'å' => vec!['a', 'a'],
            ' ' => vec!['.'],
            c => vec![c],
        })
        .collect()
}

impl People {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Rng::new(seed),
            surnames: Weighted::zipf(SURNAMES, 10.0),
            female: Weighted::zipf(FEMALE_NAMES, 6.0),
            male: Weighted::zipf(MALE_NAMES, 6.0),
        }
    }

    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    fn surname(&mut self) -> String {
        // A quarter of people carry one of the common names, the rest a farm name.
        if self.rng.chance(25) {
            self.surnames.sample(&mut self.rng).to_owned()
        } else {
            let prefix = *self.rng.pick(FARM_PREFIXES);
            let suffix = *self.rng.pick(FARM_SUFFIXES);
            format!("{prefix}{suffix}")
        }
    }

    /// The `serial`-th person of this generator (`serial` < 10,000,000 for unique numbers).
    pub fn person(&mut self, serial: u64) -> Person {
        let first_name = if self.rng.chance(50) {
            self.female.sample(&mut self.rng)
        } else {
            self.male.sample(&mut self.rng)
        };
        let first_name = if self.rng.chance(8) {
            // Double first names: Anne Marit, Per Øyvind.
            let second = if self.rng.chance(50) {
                self.female.sample(&mut self.rng)
            } else {
                self.male.sample(&mut self.rng)
            };
            format!("{first_name} {second}")
        } else {
            first_name.to_owned()
        };
        let surname = self.surname();
        let email = self.rng.chance(92).then(|| {
            let local = format!("{}.{}.{serial}", email_local(&first_name), email_local(&surname));
            let local = if self.rng.chance(8) { capitalise(&local) } else { local };
            format!("{local}@{}", self.rng.pick(EMAIL_DOMAINS))
        });
        let language = match self.rng.below(10) {
            0..=6 => Some("nob"),
            7 => Some("nno"),
            8 => Some("EN"),
            _ => None,
        };
        let year = 1935 + self.rng.below(74);
        let month = 1 + self.rng.below(12);
        let day = 1 + self.rng.below(28);
        let date_of_birth = format!("{year}-{month:02}-{day:02}");
        // Unique mobile numbers: a bijection of the serial onto seven digits, behind 4 or 9.
        let telephone = self.rng.chance(88).then(|| {
            let digits = (serial.wrapping_mul(7_654_321).wrapping_add(1_234_567)) % 10_000_000;
            let number = format!("{}{digits:07}", if serial.is_multiple_of(2) { 9 } else { 4 });
            match self.rng.below(3) {
                0 => number,
                1 => format!("{} {} {}", &number[0..3], &number[3..5], &number[5..8]),
                _ => format!("{} {} {} {}", &number[0..2], &number[2..4], &number[4..6], &number[6..8]),
            }
        });
        let landline = self.rng.chance(20).then(|| {
            let n = 20_000_000 + self.rng.below(60_000_000);
            format!("{} {} {} {}", n / 1_000_000, n / 10_000 % 100, n / 100 % 100, n % 100)
        });
        let address = self.rng.chance(75).then(|| {
            let (base, city) = *self.rng.pick(PLACES);
            let street = *self.rng.pick(STREETS);
            let number = 1 + self.rng.below(120);
            let letter = if self.rng.chance(15) { ["A", "B", "C"][self.rng.below(3) as usize] } else { "" };
            Address {
                line1: format!("{street} {number}{letter}"),
                line2: self
                    .rng
                    .chance(8)
                    .then(|| format!("Leilighet H0{}0{}", 1 + self.rng.below(6), 1 + self.rng.below(4))),
                post_code: format!("{:04}", base + self.rng.below(30) as u32),
                city,
            }
        });
        let channel = *self.rng.pick(&["WEB", "APP", "KUNDESENTER", "BILLETTAUTOMAT"]);
        Person { first_name, surname, email, language, date_of_birth, telephone, landline, address, channel }
    }
}

fn capitalise(s: &str) -> String {
    s.split('.')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_deterministic_and_norwegian() {
        let a: Vec<String> = (0..50).map(|i| People::new(7).person(i).surname).collect();
        let b: Vec<String> = (0..50).map(|i| People::new(7).person(i).surname).collect();
        assert_eq!(a, b);
        let mut people = People::new(1);
        let many: Vec<Person> = (0..20_000).map(|i| people.person(i)).collect();
        assert!(many.iter().any(|p| p.surname.contains(['æ', 'ø', 'å', 'Æ', 'Ø', 'Å'])));
        let hansen = many.iter().filter(|p| p.surname == "Hansen").count();
        assert!((60..400).contains(&hansen), "Hansen: {hansen} of 20,000");
        assert_eq!(email_local("Ærlig Øverland Åsheim"), "aerlig.overland.aasheim");
    }
}
