//! Code tables compiled into the binary as CSV (`include_str!`): the rows of such a file,
//! and a table of code displays looked up by exact code.
//!
//! The files are ours and checked by tests, so the format is deliberately small: `#`
//! comment lines, a header row, fields separated by commas, a field quoted when it holds
//! a comma (no quotes inside quotes).

/// The data rows of `text` (comments, blank lines and the header skipped), each split
/// into its fields.
pub fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .skip(1)
        .map(fields)
}

fn fields(line: &'static str) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let mut rest = line.trim_end_matches('\r');
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            fields.push(&quoted[..end]);
            rest = quoted.get(end + 1..).unwrap_or("");
            match rest.strip_prefix(',') {
                Some(next) => rest = next,
                None => break,
            }
        } else {
            match rest.split_once(',') {
                Some((field, next)) => {
                    fields.push(field.trim());
                    rest = next;
                }
                None => {
                    fields.push(rest.trim());
                    break;
                }
            }
        }
    }
    fields
}

/// Codes and their display texts, from a `code,display` CSV.
#[derive(Debug)]
pub struct CodeTable {
    /// Sorted by code, for binary search: a few comparisons of short strings per lookup,
    /// cheap enough for every line of every claim.
    entries: Vec<(&'static str, &'static str)>,
}

impl CodeTable {
    /// The table of a `code,display` CSV. Panics on a duplicate code: the files are
    /// compiled in, so that is a bug the tests catch.
    pub fn parse(csv: &'static str) -> CodeTable {
        let mut entries: Vec<_> = rows(csv).map(|row| (row[0], row[1])).collect();
        entries.sort_unstable();
        if let Some(pair) = entries.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            panic!("code {:?} is listed twice", pair[0].0);
        }
        CodeTable { entries }
    }

    /// The display of `code`, if the table lists it.
    pub fn display(&self, code: &str) -> Option<&'static str> {
        self.entries
            .binary_search_by(|(listed, _)| (*listed).cmp(code))
            .ok()
            .map(|i| self.entries[i].1)
    }

    /// Whether the table lists `code`.
    pub fn contains(&self, code: &str) -> bool {
        self.display(code).is_some()
    }

    /// Every listed code, in code order.
    pub fn codes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.entries.iter().map(|(code, _)| *code)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_skip_comments_and_the_header_and_keep_quoted_commas() {
        let text = "# source: somewhere\ncode,display\nA,\"One, two\"\n\nB,Three\r\nC,,\"x\"\n";
        let rows: Vec<_> = rows(text).collect();
        assert_eq!(
            rows,
            [
                vec!["A", "One, two"],
                vec!["B", "Three"],
                vec!["C", "", "x"]
            ]
        );
    }

    #[test]
    fn a_table_finds_exact_codes_only() {
        let table = CodeTable::parse("code,display\n15,CONNECTICUT\n1,ALABAMA\n");
        assert_eq!(table.display("15"), Some("CONNECTICUT"));
        assert_eq!(table.display("1"), Some("ALABAMA"));
        // BFD matches exactly: a zero-padded code is another code.
        assert_eq!(table.display("01"), None);
        assert_eq!(table.len(), 2);
    }

    #[test]
    #[should_panic(expected = "listed twice")]
    fn a_code_listed_twice_is_a_bug() {
        CodeTable::parse("code,display\nA,One\nA,Two\n");
    }
}
