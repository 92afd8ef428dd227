// A small YAML subset for the inventory (no YAML dependency): block mappings and sequences by
// indentation, `- key: value` items, flow sequences `[a, b]`, flow mappings `{a: 1}` on one line,
// single/double-quoted and plain scalars, integers, true/false/null, `#` comments. Anchors, tags,
// multi-line scalars and documents (`---` other than a first line) are refused with the line number.

export class YamlError extends Error {
  constructor(readonly line: number, message: string) { super(message) }
}

interface Line {indent: number, text: string, no: number}

function stripComment(s: string): string {
  let q: string | null = null
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (q) { if (c === q) q = null; continue }
    if (c === '"' || c === "'") q = c
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]))) return s.slice(0, i)
  }
  return s
}

const KEY = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"'#\-[{][^:]*?|-[^\s:][^:]*?):(?:\s+(.*))?$/

function unquote(s: string): string {
  if (s.startsWith('"')) return JSON.parse(s) as string
  if (s.startsWith("'")) return s.slice(1, -1).replace(/''/g, "'")
  return s
}

function splitFlow(s: string, no: number): string[] {
  const out: string[] = []
  let depth = 0, q: string | null = null, cur = ''
  for (const c of s) {
    if (q) { cur += c; if (c === q) q = null; continue }
    if (c === '"' || c === "'") q = c
    if (c === '[' || c === '{') depth++
    if (c === ']' || c === '}') depth--
    if (c === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue }
    cur += c
  }
  if (q || depth !== 0) throw new YamlError(no, 'unclosed quote or bracket')
  if (cur.trim()) out.push(cur.trim())
  return out
}

function scalar(raw: string, no: number): unknown {
  const s = raw.trim()
  if (s === '') return null
  if (/^[&*!|>]/.test(s)) throw new YamlError(no, `unsupported YAML (${s[0]}): write plain values, lists and mappings`)
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) throw new YamlError(no, 'a flow list must end on its line with "]"')
    return splitFlow(s.slice(1, -1), no).map((x) => scalar(x, no))
  }
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) throw new YamlError(no, 'a flow mapping must end on its line with "}"')
    const o: Record<string, unknown> = {}
    for (const part of splitFlow(s.slice(1, -1), no)) {
      const m = KEY.exec(part)
      if (!m) throw new YamlError(no, `"${part}": want key: value`)
      o[unquote(m[1].trim())] = scalar(m[2] ?? '', no)
    }
    return o
  }
  if (s.startsWith('"') || s.startsWith("'")) {
    const q = s[0]
    if (s.length < 2 || !s.endsWith(q)) throw new YamlError(no, 'unclosed quote')
    try { return unquote(s) } catch { throw new YamlError(no, `bad quoted string ${s}`) }
  }
  if (/^(true|false)$/i.test(s)) return s.toLowerCase() === 'true'
  if (/^(null|~)$/i.test(s)) return null
  if (/^-?\d+$/.test(s)) return Number(s)
  if (/^-?\d+\.\d+$/.test(s)) return Number(s)
  return s
}

export function parseYamlLite(text: string): unknown {
  const lines: Line[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/\t/.test(raw.match(/^\s*/)![0])) throw new YamlError(i + 1, 'tab in indentation (YAML wants spaces)')
    const t = stripComment(raw).replace(/\s+$/, '')
    if (!t.trim()) return
    if (t.trim() === '---' && lines.length === 0) return
    if (/^(---|\.\.\.)/.test(t)) throw new YamlError(i + 1, 'only one YAML document is read')
    lines.push({indent: t.length - t.trimStart().length, text: t.trimStart(), no: i + 1})
  })
  if (lines.length === 0) return null
  let pos = 0

  function block(indent: number): unknown {
    const first = lines[pos]
    if (first.text === '-' || first.text.startsWith('- ')) return seq(indent)
    if (KEY.test(first.text)) return map(indent)
    pos++
    if (pos < lines.length && lines[pos].indent > indent) throw new YamlError(lines[pos].no, 'unexpected indentation')
    return scalar(first.text, first.no)
  }

  function value(rest: string | undefined, parentIndent: number, no: number): unknown {
    if (rest !== undefined && rest.trim() !== '') return scalar(rest, no)
    if (pos < lines.length && lines[pos].indent > parentIndent) return block(lines[pos].indent)
    // "key:" followed by a list at the same indentation is YAML too
    if (pos < lines.length && lines[pos].indent === parentIndent && (lines[pos].text === '-' || lines[pos].text.startsWith('- '))) return seq(parentIndent)
    return null
  }

  function map(indent: number): Record<string, unknown> {
    const o: Record<string, unknown> = {}
    while (pos < lines.length && lines[pos].indent === indent) {
      const l = lines[pos]
      if (l.text.startsWith('- ') || l.text === '-') break
      const m = KEY.exec(l.text)
      if (!m) throw new YamlError(l.no, `"${l.text}": want key: value`)
      const key = unquote(m[1].trim())
      if (Object.hasOwn(o, key)) throw new YamlError(l.no, `key "${key}" given twice`)
      pos++
      o[key] = value(m[2], indent, l.no)
    }
    if (pos < lines.length && lines[pos].indent > indent) throw new YamlError(lines[pos].no, 'unexpected indentation')
    return o
  }

  function seq(indent: number): unknown[] {
    const a: unknown[] = []
    while (pos < lines.length && lines[pos].indent === indent && (lines[pos].text === '-' || lines[pos].text.startsWith('- '))) {
      const l = lines[pos]
      const rest = l.text === '-' ? '' : l.text.slice(2)
      const inner = rest.trimStart()
      const col = indent + 2 + (rest.length - inner.length)
      if (inner === '') { pos++; a.push(value(undefined, indent, l.no)); continue }
      if (KEY.test(inner) && !inner.startsWith('[') && !inner.startsWith('{')) {
        // "- key: v" starts a mapping whose keys sit at `col`
        lines[pos] = {indent: col, text: inner, no: l.no}
        a.push(map(col))
      } else {
        pos++
        a.push(scalar(inner, l.no))
      }
    }
    if (pos < lines.length && lines[pos].indent > indent) throw new YamlError(lines[pos].no, 'unexpected indentation')
    return a
  }

  const doc = block(lines[0].indent)
  if (pos < lines.length) throw new YamlError(lines[pos].no, 'unexpected indentation')
  return doc
}
