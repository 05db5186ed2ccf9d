// Package e2e drives weike's pages in a real browser: Debian's Chromium,
// through chromedp, at a phone's size for the secretary and the lecturer and
// at a desktop's for the official. The journeys run against the demo data
// served in-process, in Chinese and in English, and every page they open is
// held to the same rules: nothing from another origin, a small first visit,
// labelled inputs, visible focus, readable contrast, a keyboard that is
// enough, no sideways scrolling on a phone or a desktop, and on the phone
// targets a thumb can hit and a header on one line (checks_test.go). With WEIKE_SCREENSHOTS=1 the journeys also write the screenshots of
// docs/screenshots/.
//
// The package has only tests; this file carries its documentation.
package e2e
