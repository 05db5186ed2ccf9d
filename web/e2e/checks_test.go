package e2e

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/chromedp/chromedp"
)

// auditJS checks the page in place and returns its problems: the language
// of the document, a name for every form control, and the contrast of every
// visible piece of text against the colour actually behind it.
const auditJS = `(() => {
	const out = [];
	const lang = document.documentElement.getAttribute('lang') || '';
	if (!/^(zh-CN|en)$/.test(lang)) out.push('html lang is "' + lang + '"');
	const where = e => {
		let s = e.tagName.toLowerCase();
		if (e.id) s += '#' + e.id;
		if (e.getAttribute('name')) s += '[name=' + e.getAttribute('name') + ']';
		if (e.className && typeof e.className === 'string') s += '.' + e.className.trim().split(/\s+/).join('.');
		return s;
	};

	// Every control a person fills in has a name: a <label for>, a
	// wrapping label, aria-label or aria-labelledby.
	for (const e of document.querySelectorAll('input, select, textarea')) {
		const type = (e.getAttribute('type') || '').toLowerCase();
		if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
		const named = (e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]')) || e.closest('label') ||
			(e.getAttribute('aria-label') || '').trim() || (e.getAttribute('aria-labelledby') &&
			e.getAttribute('aria-labelledby').split(/\s+/).every(id => document.getElementById(id)));
		if (!named) out.push('no label: ' + where(e));
	}
	// (What a closed <details> holds is not shown, and its innerText is
	// empty while its boxes remain: it is checked when opened.)
	const folded = e => { const d = e.closest('details:not([open])'); return d && !d.querySelector(':scope > summary').contains(e); };
	for (const b of document.querySelectorAll('button, a[href]')) {
		if (!(b.innerText || '').trim() && !(b.getAttribute('aria-label') || '').trim() && b.getClientRects().length && !folded(b))
			out.push('no text: ' + where(b));
	}

	// Contrast (WCAG 2): text colour over the first opaque background of
	// the element and its ancestors, translucent layers blended in.
	const parse = c => {
		const m = c.match(/rgba?\(([^)]+)\)/);
		if (!m) return null;
		const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
		return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
	};
	const over = (top, under) => ({
		r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
		b: top.b * top.a + under.b * (1 - top.a), a: 1});
	const background = e => {
		const layers = [];
		for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
			const c = parse(getComputedStyle(n).backgroundColor);
			if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
		}
		let bg = {r: 255, g: 255, b: 255, a: 1};
		for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
		return bg;
	};
	const lum = c => {
		const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
		return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
	};
	const seen = new Set();
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let t = walker.nextNode(); t; t = walker.nextNode()) {
		const e = t.parentElement;
		if (!e || seen.has(e) || !t.nodeValue.trim()) continue;
		seen.add(e);
		if (e.closest('script, style, noscript, template, [hidden], [aria-hidden=true] svg')) continue;
		const st = getComputedStyle(e);
		if (st.visibility !== 'visible' || !e.getClientRects().length) continue;
		const r = e.getBoundingClientRect();
		if (r.width <= 1 && r.height <= 1) continue; // visually hidden, for screen readers
		if (e.closest('.skip') && document.activeElement !== e.closest('.skip')) continue; // off screen until focused
		let fg = parse(st.color);
		if (!fg) continue;
		let op = 1;
		for (let n = e; n && n.nodeType === 1; n = n.parentElement) op *= Number(getComputedStyle(n).opacity);
		fg.a *= op;
		const bg = background(e);
		fg = over(fg, bg);
		const l1 = lum(fg), l2 = lum(bg);
		const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
		if (ratio < 4.5) out.push('contrast ' + ratio.toFixed(2) + ':1 for "' + t.nodeValue.trim().slice(0, 30) + '" in ' +
			where(e) + ' (' + st.color + ' on rgb(' + [bg.r, bg.g, bg.b].map(Math.round).join(', ') + '))');
	}
	return out;
})()`

// layoutJS checks that the page fits its screen, and, on a phone, that
// every target is big enough for a thumb:
//   - the page never scrolls sideways (a wide table scrolls inside its own
//     frame): the document is no wider than the window;
//   - every visible link, button, input, select and summary is at least
//     44×44 CSS px (WCAG 2.5.5). Two kinds are measured otherwise, as WCAG
//     2.5.8 allows: a link inside running text (its height is the line's:
//     a sentence cannot grow to 44 px a line) — an inline link whose own
//     parent says a dozen letters of its own around it — and a checkbox
//     or radio, whose label toggles it too and is measured with it. Something
//     visually hidden (the skip link until focused, a radio drawn by its
//     label) is no target;
//   - the header keeps to one line: its brand, menu button and tools share
//     a row (the menu opens below it when tapped).
//
// The window's width is the device's: on an emulated phone Chromium widens
// the layout viewport to a page that overflows (innerWidth becomes the
// page's 1,022 px), so innerWidth alone would let any page pass.
const layoutJS = `((phone, device) => {
	const out = [];
	const de = document.documentElement, W = Math.min(window.innerWidth, device);
	const where = e => {
		let s = e.tagName.toLowerCase();
		if (e.id) s += '#' + e.id;
		if (e.getAttribute('href')) s += '[href=' + e.getAttribute('href').slice(0, 40) + ']';
		if (e.className && typeof e.className === 'string') s += '.' + e.className.trim().split(/\s+/).join('.');
		const t = (e.innerText || e.value || '').trim().slice(0, 20);
		return t ? s + ' "' + t + '"' : s;
	};
	if (de.scrollWidth > W) {
		// The widest things that stick out, outside any box that scrolls
		// or clips them.
		const out2 = [];
		for (const e of document.body.querySelectorAll('*')) {
			const r = e.getBoundingClientRect();
			if (r.right <= W + 0.5 || !e.getClientRects().length) continue;
			// An absolutely placed box is clipped by the scrollers around
			// its containing block, not by those around it in the page.
			let clipped = false;
			const pos = getComputedStyle(e).position;
			for (let p = pos === 'absolute' || pos === 'fixed' ? e.offsetParent : e.parentElement; p && p !== document.body; p = p.parentElement) {
				const ox = getComputedStyle(p).overflowX;
				if (ox !== 'visible') { clipped = true; break; }
			}
			if (!clipped) out2.push(where(e) + ' to ' + Math.round(r.right) + ' px');
		}
		out.push('scrolls sideways: the page is ' + de.scrollWidth + ' px wide in a ' + W + ' px window; sticking out: ' + out2.slice(-4).join(', '));
	}
	if (!phone) return out;
	const shown = e => {
		if (!e.getClientRects().length) return false;
		const d = e.closest('details');
		if (d && !d.open && !e.closest('summary')) return false;
		for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
			const st = getComputedStyle(n);
			if (st.visibility !== 'visible' && n === e) return false;
			if (Number(st.opacity) === 0) return false;
		}
		const r = e.getBoundingClientRect();
		return r.width > 1 && r.height > 1 && r.right > 0 && r.bottom > -10000;
	};
	// In running text: an inline link whose parent says a dozen letters of
	// its own around it (a sentence, not a name with a link beside it).
	const inText = e => {
		if (e.tagName !== 'A' || getComputedStyle(e).display !== 'inline') return false;
		const p = e.parentElement;
		if (!p || /flex|grid/.test(getComputedStyle(p).display)) return false;
		const own = [...p.childNodes].filter(n => n.nodeType === 3).map(n => n.nodeValue).join('');
		return (own.match(/[\p{L}\p{N}]/gu) || []).length >= 12;
	};
	for (const e of document.querySelectorAll('a[href], button, input, select, summary')) {
		if (e.matches('input[type=hidden]') || !shown(e) || inText(e)) continue;
		let r = e.getBoundingClientRect();
		if (e.matches('input[type=checkbox], input[type=radio]')) {
			const label = (e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]')) || e.closest('label');
			if (label) {
				const l = label.getBoundingClientRect();
				const left = Math.min(r.left, l.left), top = Math.min(r.top, l.top);
				r = {width: Math.max(r.right, l.right) - left, height: Math.max(r.bottom, l.bottom) - top};
			}
		}
		if (r.width < 43.5 || r.height < 43.5) {
			const p = e.parentElement, pp = p && p.parentElement;
			const up = [pp, p].filter(Boolean).map(n => n.tagName.toLowerCase() + (n.className && typeof n.className === 'string' ? '.' + n.className.trim().split(/\s+/).join('.') : '')).join(' > ');
			out.push('small target ' + Math.round(r.width) + '×' + Math.round(r.height) + ': ' + up + ' > ' + where(e));
		}
	}
	const head = document.querySelector('header');
	if (head) {
		const items = [...head.querySelectorAll('a[href], button, label, summary')].filter(e => shown(e) && !e.closest('nav'));
		const tops = items.map(e => Math.round(e.getBoundingClientRect().top));
		if (tops.length && Math.max(...tops) - Math.min(...tops) > 8)
			out.push('the header wraps onto two lines: ' + items.map(e => where(e) + ' at ' + Math.round(e.getBoundingClientRect().top)).join(', '));
	}
	return out;
})`

// audit holds the current page to the rules every page must keep: lang
// set, every input labelled, text contrast at least 4.5:1, no sideways
// scrolling, and on a phone targets a thumb can hit and a one-line header.
func (tb *tab) audit() {
	tb.t.Helper()
	probs := eval[[]string](tb, auditJS)
	probs = append(probs, tb.layoutProblems()...)
	if len(probs) > 0 {
		tb.t.Errorf("%s %s breaks the page rules:\n  %s", tb.dev.name, tb.location(), strings.Join(probs, "\n  "))
	}
}

// layoutProblems runs layoutJS at the tab's screen.
func (tb *tab) layoutProblems() []string {
	tb.t.Helper()
	return eval[[]string](tb, fmt.Sprintf("%s(%v, %d)", layoutJS, tb.dev.mobile, tb.dev.w))
}

// auditAt reopens the current page on another screen and holds it to the
// layout rules there, then comes back: every page must fit a 390 px phone
// and a 1280 px desktop, whoever usually opens it.
func (tb *tab) auditAt(dev device) {
	tb.t.Helper()
	was := tb.dev
	defer func() {
		tb.emulate(was)
		tb.load("reload", chromedp.Reload())
	}()
	tb.emulate(dev)
	tb.load("reload", chromedp.Reload())
	if probs := tb.layoutProblems(); len(probs) > 0 {
		tb.t.Errorf("%s %s breaks the layout rules:\n  %s", dev.name, tb.location(), strings.Join(probs, "\n  "))
	}
}

// focusJS describes the focused element and whether a focus ring shows on
// it (or, for a visually hidden checkbox, on its label).
const focusJS = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body) return {tag: 'body', ring: false};
	const ring = n => {
		if (!n) return false;
		const s = getComputedStyle(n);
		return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || (s.boxShadow && s.boxShadow !== 'none');
	};
	const label = e.id ? document.querySelector('label[for="' + CSS.escape(e.id) + '"]') : null;
	// The last stop of a month or date field is its calendar button, inside
	// the browser's own shadow tree: the field is then the active element
	// without matching :focus, and the ring is drawn on the button, out of
	// the page's reach.
	if (e.matches('input:is([type=month], [type=date], [type=time], [type=datetime-local])') && !e.matches(':focus'))
		return {tag: e.tagName.toLowerCase() + '#' + e.id + ' (its calendar button)', ring: true};
	let tag = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' + (e.innerText || e.value || '').trim().slice(0, 20) + '"';
	return {tag, ring: ring(e) || ring(label)};
})()`

type focusState struct {
	Tag  string `json:"tag"`
	Ring bool   `json:"ring"`
}

// checkFocus tabs through the first n stops of the page with the keyboard
// and fails for any that shows no focus ring.
func (tb *tab) checkFocus(n int) {
	tb.t.Helper()
	eval[bool](tb, `(() => { if (document.activeElement) document.activeElement.blur(); window.scrollTo(0, 0); return true })()`)
	var bad []string
	stops := 0
	for i := 0; i < n; i++ {
		tb.step("press Tab", chromedp.KeyEvent("\t"))
		f := eval[focusState](tb, focusJS)
		if f.Tag == "body" {
			break
		}
		stops++
		if !f.Ring {
			bad = append(bad, f.Tag)
		}
	}
	if stops == 0 {
		tb.t.Errorf("%s %s: Tab reaches nothing", tb.dev.name, tb.location())
	}
	if len(bad) > 0 {
		tb.t.Errorf("%s %s: no visible focus on %s", tb.dev.name, tb.location(), strings.Join(bad, ", "))
	}
}

// cjk matches Chinese characters and the full-width punctuation that goes
// with them.
var cjk = regexp.MustCompile(`[\p{Han}\x{3000}-\x{303f}\x{ff00}-\x{ffef}]+`)

// visibleTextJS lists the visible text of the page piece by piece (text
// nodes, and the labels of buttons and choices), leaving out what is
// marked as being in another language (the 中文 switch is lang="zh-CN").
const visibleTextJS = `(() => {
	const out = [];
	const lang = document.documentElement.lang;
	const shown = e => e.getClientRects().length && getComputedStyle(e).visibility === 'visible';
	const other = e => { const l = e.closest('[lang]'); return l && l.getAttribute('lang') !== lang; };
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let t = walker.nextNode(); t; t = walker.nextNode()) {
		const e = t.parentElement, s = t.nodeValue.trim();
		if (!s || !e || e.closest('script, style, template') || other(e)) continue;
		if (e.closest('option, .sr') || shown(e)) out.push(s);
	}
	for (const e of document.querySelectorAll('input[type=submit], input[type=button], [placeholder], [aria-label], [title]')) {
		for (const a of ['value', 'placeholder', 'aria-label', 'title'])
			if (e.hasAttribute(a) && (a !== 'value' || /submit|button/.test(e.type))) out.push(e.getAttribute(a).trim());
	}
	out.push(document.title);
	return out.filter(Boolean);
})()`

// pageWords is the page's visible text, piece by piece.
func (tb *tab) pageWords() []string {
	tb.t.Helper()
	return eval[[]string](tb, visibleTextJS)
}

// untranslated returns the Chinese left in an English page once the
// records' own words (names, titles, addresses) are taken out.
func untranslated(words, data []string) []string {
	// Longest first, so a title is removed before a name inside it.
	data = append([]string(nil), data...)
	sort.Slice(data, func(i, j int) bool { return len(data[i]) > len(data[j]) })
	seen := map[string]bool{}
	var out []string
	for _, w := range words {
		rest := w
		for _, d := range data {
			if strings.Contains(rest, d) {
				rest = strings.ReplaceAll(rest, d, " ")
			}
		}
		if cjk.MatchString(rest) && !seen[w] {
			seen[w] = true
			out = append(out, fmt.Sprintf("%q", w))
		}
	}
	return out
}
