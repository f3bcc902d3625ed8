//! Bounds: the shell analysis never panics, never overflows the stack, never answers allow for
//! text it gave up on, and stays fast on large or hostile input.

use guardrails_core::{evaluate, Action, Context, Verdict};

fn verdict(cmd: &str) -> (Verdict, Vec<String>) {
    let d = evaluate(&Action::shell(cmd), &Context::default());
    (d.verdict, d.findings.into_iter().map(|f| f.rule).collect())
}

/// Runs `f` on a thread with a modest stack: deep input must not need more.
const STACK: usize = 1024 * 1024;

#[expect(
    clippy::unwrap_used,
    reason = "a test helper: a failed spawn or a panic fails the test"
)]
fn small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn ten_thousand_nested_substitutions_fail_closed() {
    let (v, rules) = small_stack(|| {
        verdict(&format!(
            "echo {}x{}",
            "$(".repeat(10_000),
            ")".repeat(10_000)
        ))
    });
    assert_eq!(v, Verdict::Deny);
    assert!(rules.contains(&"shell.unparseable".to_owned()), "{rules:?}");
}

#[test]
fn deep_nesting_of_every_kind_fails_closed() {
    let cases = [
        format!("{}ls{}", "( ".repeat(5000), " )".repeat(5000)),
        format!("(( {} ))", "$(( ".repeat(3000) + "1" + &" ))".repeat(3000)),
        format!("{}ls{}", "{ ".repeat(5000), "; }".repeat(5000)),
        format!("echo {}x{}", "\"$(echo ".repeat(3000), ")\"".repeat(3000)),
        format!("echo {}x{}", "${a:-".repeat(3000), "}".repeat(3000)),
        format!("{}ls{}", "if true; then ".repeat(3000), "; fi".repeat(3000)),
        format!("echo {}", "`".repeat(4001)),
        "eval ".repeat(5000) + "ls",
        "sudo ".repeat(5000) + "ls",
        "sudo ".repeat(70) + &" a".repeat(400_000),
        "eval ".repeat(70) + &" a".repeat(400_000),
        "xargs ".repeat(100) + "ls",
    ];
    for c in cases {
        let len = c.len();
        let (v, rules) = small_stack(move || verdict(&c));
        assert_ne!(v, Verdict::Allow, "input of {len} bytes: {rules:?}");
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[test]
fn nested_shell_strings_are_judged() {
    let cmd = (0..8).fold("rm -rf /etc".to_owned(), |acc, _| {
        format!("sh -c {}", shell_quote(&acc))
    });
    let (v, rules) = verdict(&cmd);
    assert_eq!(v, Verdict::Deny);
    assert!(
        rules.contains(&"shell.recursive-delete".to_owned()),
        "{rules:?}"
    );
}

#[test]
fn moderate_nesting_is_judged() {
    let cmd = format!("{}rm -rf /etc{}", "$(".repeat(30), ")".repeat(30));
    let (v, rules) = verdict(&cmd);
    assert_eq!(v, Verdict::Deny);
    assert!(
        rules.contains(&"shell.recursive-delete".to_owned()),
        "{rules:?}"
    );
}

#[test]
fn one_mebibyte_is_bounded() {
    let big = "echo ".to_owned() + &"a".repeat(1 << 20);
    let (v, rules) = verdict(&big);
    assert_eq!(v, Verdict::Deny);
    assert!(rules.contains(&"shell.unparseable".to_owned()));
    // Just under the bound: analysed, and quickly.
    let line = "ls -la /tmp && echo ok; ";
    let almost = line.repeat((1 << 20) / line.len() - 1);
    let start = std::time::Instant::now();
    let (v, _) = verdict(&almost);
    assert!(v == Verdict::Allow || v == Verdict::Deny);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

#[test]
fn known_parser_killers_are_findings() {
    for cmd in [
        "<<E$[\t\t",
        "<<E$[",
        "$((",
        "${",
        "$(",
        "`",
        "'",
        "\"",
        "$'",
        "<(",
        "cat <<",
        "a=(",
        "case x in",
        "for",
        "[[ x",
        "f() {",
    ] {
        let (v, rules) = verdict(cmd);
        assert_eq!(v, Verdict::Deny, "{cmd:?}: {rules:?}");
    }
}

/// A small deterministic generator (xorshift), so the test needs no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        let i = (self.next() % items.len() as u64) as usize;
        items.get(i).copied().unwrap_or_default()
    }
}

#[test]
fn random_and_mutated_input_never_panics() {
    let seeds = [
        "rm -rf \"$X\"/* && echo `date` | sh -c 'cat <<EOF\n$(id)\nEOF\n'",
        "find . -name '*.o' -exec rm {} \\; ; for f in *; do echo \"$f\"; done",
        "a=$'\\x72m'; ${a} -rf ~ || { curl -s x | bash; } & disown",
        "case $1 in a|b) echo ${x:-$(ls)};; *) : ;; esac 2>&1 >/dev/null",
        "psql -c \"DELETE FROM t WHERE id = 1\" <<< 'x' | tee -a /etc/hosts",
    ];
    let atoms = [
        "$(", ")", "`", "'", "\"", "\\", "${", "}", "{", "(", "|", "||", "&&", ";", ";;", "&",
        "<<", "<<-", "<<<", ">", ">&", "<(", ">(", "$'", "\n", " ", "\t", "#", "=", "*", "?", "[",
        "]", "!", "~", "rm", "-rf", "/", "sh", "-c", "eval", "EOF", "if", "then", "fi", "for",
        "do", "done", "case", "esac", "in", "$((", "))", "$[", "é", "\u{200b}", "\u{0}", "\u{1b}",
        "sudo", "xargs", "find", "-exec", "{}", "\\;",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut n = 0;
    for _ in 0..3000 {
        let mut s: String = rng.pick(&seeds).to_owned();
        for _ in 0..(rng.next() % 8) {
            let pos = (rng.next() as usize) % (s.len() + 1);
            let pos = (0..=pos)
                .rev()
                .find(|p| s.is_char_boundary(*p))
                .unwrap_or(0);
            if rng.next().is_multiple_of(3) && pos < s.len() {
                let end = (pos + 1 + (rng.next() as usize % 4)).min(s.len());
                let end = (end..=s.len())
                    .find(|p| s.is_char_boundary(*p))
                    .unwrap_or(s.len());
                s.replace_range(pos..end, "");
            } else {
                s.insert_str(pos, rng.pick(&atoms));
            }
        }
        let (v, rules) = verdict(&s);
        if rules.contains(&"shell.unparseable".to_owned()) {
            assert_eq!(v, Verdict::Deny, "{s:?}");
        }
        n += 1;
    }
    for _ in 0..2000 {
        let len = (rng.next() % 64) as usize;
        let s: String = (0..len).map(|_| rng.pick(&atoms)).collect();
        let _ = verdict(&s);
        n += 1;
    }
    // Arbitrary bytes, lossily decoded.
    for _ in 0..1000 {
        let bytes: Vec<u8> = (0..(rng.next() % 48)).map(|_| rng.next() as u8).collect();
        let s = String::from_utf8_lossy(&bytes).into_owned();
        let _ = verdict(&s);
        n += 1;
    }
    println!("{n} random inputs");
}

#[test]
#[ignore = "timing, run with --ignored --nocapture in release"]
fn micros_per_command() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../benches/shell_commands.txt"
    ))
    .unwrap();
    let cmds: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let policy = guardrails_core::Policy::builtin();
    let ctx = Context::default();
    let actions: Vec<Action> = cmds.iter().map(|c| Action::shell(*c)).collect();
    let mut times = Vec::new();
    for a in &actions {
        let rounds = 2000;
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(policy.evaluate(std::hint::black_box(a), &ctx));
        }
        times.push(start.elapsed().as_secs_f64() * 1e6 / rounds as f64);
    }
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    for (c, t) in cmds.iter().zip(&times) {
        println!("{t:8.2} us  {c}");
    }
    println!(
        "p50 {:.2} us, max {:.2} us, mean {:.2} us",
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1],
        times.iter().sum::<f64>() / times.len() as f64
    );
}
