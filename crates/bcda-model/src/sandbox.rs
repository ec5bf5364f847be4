//! The five sandbox ACOs of the BCDA sandbox user guide, with the credentials printed
//! there. `bcda seed` creates them so the guide works as written against a fresh server.

/// One sandbox ACO and its published credential set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxAco {
    pub cms_id: &'static str,
    /// The guide's size label.
    pub name: &'static str,
    /// Attributed synthetic beneficiaries.
    pub beneficiaries: u32,
    pub client_id: &'static str,
    pub client_secret: &'static str,
}

/// The guide's five credential sets, smallest first.
pub const SANDBOX_ACOS: [SandboxAco; 5] = [
    SandboxAco {
        cms_id: "A9994",
        name: "Extra-Small ACO",
        beneficiaries: 50,
        client_id: "3841c594-a8c0-41e5-98cc-38bb45360d3c",
        client_secret: "f9780d323588f1cdfc3e63e95a8cbdcdd47602ff48a537b51dc5d7834bf466416a716bd4508e904a",
    },
    SandboxAco {
        cms_id: "A9990",
        name: "Small ACO",
        beneficiaries: 2_500,
        client_id: "d5f83f74-6c55-4f1e-9d16-0022688171ba",
        client_secret: "01c23cf3f31f82a5c2dcef5136a8eaa32959158351f4e28aaec5fc6550cb2a5b5d112c5b8aacc434",
    },
    SandboxAco {
        cms_id: "A9991",
        name: "Medium ACO",
        beneficiaries: 7_500,
        client_id: "8c75a6f6-02b9-4a47-96c1-0bd6efd4b5e3",
        client_secret: "e1c920141c4aca6b8f726fa8aa0f7b55e095fd1ea3368a5f24b3636fdc907f113d6677977c7259dd",
    },
    SandboxAco {
        cms_id: "A9992",
        name: "Large ACO",
        beneficiaries: 20_000,
        client_id: "f268a8c6-8a29-4d2b-8b92-263dc775750d",
        client_secret: "78ed083ad8e49475f36d04153649012b92c363a538ac97beaf0f7900403989581fc35324baa31e36",
    },
    SandboxAco {
        cms_id: "A9993",
        name: "Extra-Large ACO",
        beneficiaries: 30_000,
        client_id: "6152afb4-c555-46e4-93de-fa16a441d643",
        client_secret: "1ace5a0e9fdf0c3d713e8c029269eacd024732ccd59e2cf283374e0f8dc93b34429d71b77e55b9a2",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The guide's Option 1 curl example carries the base64 of the first credential set.
    #[test]
    fn extra_small_credentials_match_the_guides_encoded_example() {
        let aco = SANDBOX_ACOS[0];
        let plain = format!("{}:{}", aco.client_id, aco.client_secret);
        let encoded = "Mzg0MWM1OTQtYThjMC00MWU1LTk4Y2MtMzhiYjQ1MzYwZDNjOmY5NzgwZDMyMzU4OGYxY2RmYzNlNjNlOTVhOGNiZGNkZDQ3NjAyZmY0OGE1MzdiNTFkYzVkNzgzNGJmNDY2NDE2YTcxNmJkNDUwOGU5MDRh";
        assert_eq!(base64_decode(encoded), plain);
    }

    #[test]
    fn sandbox_acos_are_distinct() {
        for (i, a) in SANDBOX_ACOS.iter().enumerate() {
            for b in &SANDBOX_ACOS[i + 1..] {
                assert_ne!(a.cms_id, b.cms_id);
                assert_ne!(a.client_id, b.client_id);
            }
        }
    }

    /// A minimal standard-alphabet decoder: this crate takes no base64 dependency.
    fn base64_decode(input: &str) -> String {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut bits = 0u32;
        let mut count = 0;
        let mut out = Vec::new();
        for c in input.bytes().filter(|&c| c != b'=') {
            let value = alphabet.iter().position(|&a| a == c).unwrap() as u32;
            bits = (bits << 6) | value;
            count += 6;
            if count >= 8 {
                count -= 8;
                out.push((bits >> count) as u8);
            }
        }
        String::from_utf8(out).unwrap()
    }
}
