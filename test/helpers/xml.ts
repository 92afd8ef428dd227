// A small strict XML 1.0 parser for tests (JUnit output): elements, attributes, text, the five
// predefined entities and numeric references, the XML declaration, comments. It throws on what a
// real parser rejects in that subset: mismatched or unclosed tags, a raw '<' or '&' in text or an
// attribute, an unknown entity, duplicate attributes, text or a second element after the root.

export interface XmlElement {
  name: string
  attrs: Record<string, string>
  children: XmlElement[]
  text: string
}

const NAME = /^[A-Za-z_:][\w.:-]*/

function decode(s: string, where: number): string {
  if (/<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) throw new Error(`raw '<' or '&' at ${where}: ${s.slice(0, 60)}`)
  return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
    return ({amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"} as Record<string, string>)[e]
  })
}

export function parseXml(src: string): XmlElement {
  let i = 0
  const skipWs = () => { while (i < src.length && /\s/.test(src[i])) i++ }
  const skipMisc = () => {
    for (;;) {
      skipWs()
      if (src.startsWith('<!--', i)) { const e = src.indexOf('-->', i); if (e < 0) throw new Error('unclosed comment'); i = e + 3 } else return
    }
  }
  if (src.startsWith('<?xml', 0)) { const e = src.indexOf('?>'); if (e < 0) throw new Error('bad declaration'); i = e + 2 }
  skipMisc()
  const element = (): XmlElement => {
    if (src[i] !== '<') throw new Error(`expected '<' at ${i}`)
    i++
    const m = NAME.exec(src.slice(i))
    if (!m) throw new Error(`bad element name at ${i}`)
    const el: XmlElement = {name: m[0], attrs: {}, children: [], text: ''}
    i += m[0].length
    for (;;) {
      const before = i
      skipWs()
      if (src.startsWith('/>', i)) { i += 2; return el }
      if (src[i] === '>') { i++; break }
      if (i === before) throw new Error(`expected whitespace before an attribute at ${i}`)
      const a = NAME.exec(src.slice(i))
      if (!a) throw new Error(`bad attribute name at ${i}`)
      i += a[0].length
      skipWs()
      if (src[i] !== '=') throw new Error(`expected '=' at ${i}`)
      i++
      skipWs()
      const q = src[i]
      if (q !== '"' && q !== "'") throw new Error(`expected a quote at ${i}`)
      const end = src.indexOf(q, i + 1)
      if (end < 0) throw new Error('unclosed attribute value')
      if (a[0] in el.attrs) throw new Error(`duplicate attribute ${a[0]}`)
      el.attrs[a[0]] = decode(src.slice(i + 1, end), i)
      i = end + 1
    }
    for (;;) {
      const lt = src.indexOf('<', i)
      if (lt < 0) throw new Error(`unclosed <${el.name}>`)
      el.text += decode(src.slice(i, lt), i)
      i = lt
      if (src.startsWith('</', i)) {
        i += 2
        const c = NAME.exec(src.slice(i))
        if (!c || c[0] !== el.name) throw new Error(`</${c?.[0]}> closes <${el.name}>`)
        i += c[0].length
        skipWs()
        if (src[i] !== '>') throw new Error(`expected '>' at ${i}`)
        i++
        return el
      }
      if (src.startsWith('<!--', i)) { const e = src.indexOf('-->', i); if (e < 0) throw new Error('unclosed comment'); i = e + 3; continue }
      el.children.push(element())
    }
  }
  const root = element()
  skipMisc()
  if (i !== src.length) throw new Error(`content after the root element at ${i}`)
  return root
}
