/** Where a published figure comes from. */

/** A document a figure was read from: its address and what it is. */
export interface Citation {
  readonly url: string;
  /** Document name (and where in it), e.g. "STM32G0B1xB/xC/xE datasheet DS13560 Rev 6, Features". */
  readonly document: string;
}

/** A published figure and its source. */
export interface CitedFigure {
  readonly value: number;
  readonly source: Citation;
}
