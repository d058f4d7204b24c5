/**
 * The one order of names xreg sorts by (parameters in the IR, diagnostics, tensors in an export):
 * English collation, whatever the user's locale. `a.localeCompare(b)` follows the process's locale
 * (LANG / LC_ALL): under cs_CZ "cha" sorts after "hb", under da_DK names starting "aa" sort last,
 * so the same program gave its parameters another order — and another checkpoint layout and
 * initialization order — on a machine set to another language. English collation is what Node
 * uses with no locale set (and on the machines that made every result so far), so nothing changes
 * there.
 */
let collator: Intl.Collator | undefined;

export const textOrder = (a: string, b: string): number => (collator ??= new Intl.Collator('en')).compare(a, b);
