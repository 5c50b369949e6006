//! NumPy's einsum subscripts: letters, `...` and `->`, parsed and checked against the ranks
//! of the operands.

use std::fmt;

/// One axis label: a letter of the subscripts, or one of the dimensions `...` stands for.
///
/// `Broadcast(k)` is the `k`-th of the broadcast dimensions, counted from the left of the
/// widest ellipsis, so shorter ellipses align to the right as NumPy broadcasting does. The
/// derived order puts broadcast dimensions first and letters alphabetically (uppercase before
/// lowercase), which is the order of an implicit output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Label {
    Broadcast(usize),
    Letter(char),
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Broadcast(k) => write!(f, "...[{k}]"),
            Label::Letter(c) => write!(f, "{c}"),
        }
    }
}

/// Subscripts with every ellipsis expanded: the labels of each operand's axes and of the
/// output's.
#[derive(Debug)]
pub(super) struct Subscripts {
    pub(super) inputs: Vec<Vec<Label>>,
    pub(super) output: Vec<Label>,
}

/// One term before expansion: its letters, and where (if anywhere) `...` stands among them.
struct Term {
    letters: Vec<char>,
    ellipsis: Option<usize>,
}

impl Term {
    /// The labels of a term whose ellipsis covers `covered` dimensions of `width` in all.
    fn labels(&self, covered: usize, width: usize) -> Vec<Label> {
        let letter = |&c: &char| Label::Letter(c);
        match self.ellipsis {
            None => self.letters.iter().map(letter).collect(),
            Some(at) => {
                let mut labels: Vec<Label> = self.letters[..at].iter().map(letter).collect();
                labels.extend((width - covered..width).map(Label::Broadcast));
                labels.extend(self.letters[at..].iter().map(letter));
                labels
            }
        }
    }
}

/// Parses one comma-free term: ASCII letters and at most one `...`.
fn term(text: &str) -> Result<Term, String> {
    let mut letters = Vec::new();
    let mut ellipsis = None;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("...") {
            if ellipsis.replace(letters.len()).is_some() {
                return Err(format!("term '{text}' has more than one ellipsis"));
            }
            rest = after;
        } else if c.is_ascii_alphabetic() {
            letters.push(c);
            rest = &rest[1..];
        } else {
            return Err(format!(
                "invalid character {c:?} in term '{text}' (subscripts are ASCII letters, \
                 '...', ',' and '->')"
            ));
        }
    }
    Ok(Term { letters, ellipsis })
}

/// Parses `subscripts` for operands of ranks `ranks`; whitespace is ignored. Without `->`, the
/// output is the broadcast dimensions followed by the letters that appear exactly once, in
/// alphabetical order (NumPy's implicit mode).
pub(super) fn parse(subscripts: &str, ranks: &[usize]) -> Result<Subscripts, String> {
    let text: String = subscripts.chars().filter(|c| !c.is_whitespace()).collect();
    let (inputs, output) = match text.split_once("->") {
        Some((inputs, output)) => (inputs, Some(output)),
        None => (text.as_str(), None),
    };
    let terms = inputs.split(',').map(term).collect::<Result<Vec<_>, _>>()?;
    if terms.len() != ranks.len() {
        return Err(format!(
            "the subscripts name {} operands but {} were given",
            terms.len(),
            ranks.len()
        ));
    }
    let mut covered = Vec::with_capacity(terms.len());
    for (i, (t, &rank)) in terms.iter().zip(ranks).enumerate() {
        let named = t.letters.len();
        match t.ellipsis {
            Some(_) if named <= rank => covered.push(rank - named),
            None if named == rank => covered.push(0),
            _ => {
                return Err(format!(
                    "operand {i} has rank {rank} but its term names {named} axes{}",
                    if t.ellipsis.is_some() {
                        " besides '...'"
                    } else {
                        ""
                    }
                ));
            }
        }
    }
    let width = covered.iter().copied().max().unwrap_or(0);
    let inputs: Vec<Vec<Label>> = terms
        .iter()
        .zip(&covered)
        .map(|(t, &k)| t.labels(k, width))
        .collect();
    let output = match output {
        Some(text) => explicit_output(text, &inputs, width)?,
        None => implicit_output(&inputs),
    };
    Ok(Subscripts { inputs, output })
}

/// The output term after `->`: distinct letters of the inputs, and `...` if they broadcast.
fn explicit_output(text: &str, inputs: &[Vec<Label>], width: usize) -> Result<Vec<Label>, String> {
    let parsed = term(text)?;
    if parsed.ellipsis.is_none() && width > 0 {
        return Err("the inputs have broadcast dimensions ('...') but the output has none".into());
    }
    let output = parsed.labels(width, width);
    for (k, label) in output.iter().enumerate() {
        if output[..k].contains(label) {
            return Err(format!("output index '{label}' appears more than once"));
        }
        if !inputs.iter().flatten().any(|l| l == label) {
            return Err(format!(
                "output index '{label}' does not appear in the inputs"
            ));
        }
    }
    Ok(output)
}

/// NumPy's implicit output: broadcast dimensions, then the letters used once, sorted.
fn implicit_output(inputs: &[Vec<Label>]) -> Vec<Label> {
    let all: Vec<Label> = inputs.iter().flatten().copied().collect();
    let mut output: Vec<Label> = all
        .iter()
        .copied()
        .filter(|&l| {
            matches!(l, Label::Broadcast(_)) || all.iter().filter(|&&m| m == l).count() == 1
        })
        .collect();
    output.sort_unstable();
    output.dedup();
    output
}
