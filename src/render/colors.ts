/** The few colours the renderers use; the reporter passes tinyrainbow's, which honours NO_COLOR and TTYs. */
export interface Palette {
  bold: (text: string) => string
  dim: (text: string) => string
  red: (text: string) => string
  yellow: (text: string) => string
  green: (text: string) => string
  cyan: (text: string) => string
}

const same = (text: string) => text

/** No colour at all: for files, and for tests of the renderers. */
export const plain: Palette = { bold: same, dim: same, red: same, yellow: same, green: same, cyan: same }
