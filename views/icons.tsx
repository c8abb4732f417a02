// Icons drawn as inline SVG, so they show on any machine: an emoji needs a colour-emoji font,
// which a server-side chromium (Debian's, say) or a locked-down desktop may not have.

/**
 * A paper clip, 1em square in the text's colour. The path is Feather's "paperclip" icon (MIT,
 * https://feathericons.com). Decorative: the caller gives the label.
 */
export function PaperClip() {
  return (
    <svg
      class="icon"
      viewBox="0 0 24 24"
      width="1em"
      height="1em"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48" />
    </svg>
  );
}
