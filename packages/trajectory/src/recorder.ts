import type { AgentInfo, SearchResult, Step, Trajectory } from './schema';
import type { SearchTool, ToolDocument, ToolSearchHit } from './search-tool';

// Every call an agent makes through the search tool becomes a step of the normalised trajectory, so
// what an agent does is mined as it happened: @lrat/agents keeps one recorder per question, the
// server one per call, sending the steps to its session log.

export interface RecorderOptions {
  /** Receives the steps of each call as soon as it is made (the server's durable session log). */
  onSteps?: (steps: Step[]) => void;
  /** Stamps every step with this time (ISO 8601); without it steps carry no timestamp. */
  now?: () => Date;
}

/** Reasoning the agent sent along with a call: recorded just before the call's own step. */
export interface CallNote {
  reasoning?: string;
}

export class TrajectoryRecorder implements SearchTool {
  readonly steps: Step[] = [];
  private finalAnswer: string | null = null;
  searchCalls = 0;
  browseCalls = 0;

  constructor(
    private readonly tool: SearchTool,
    private readonly options: RecorderOptions = {},
  ) {}

  get k(): number {
    return this.tool.k;
  }

  get indexName(): string | undefined {
    return this.tool.indexName;
  }

  /** A search step with the results as shown (a failed search records nothing, not even its reasoning). */
  async search(query: string, k?: number, note: CallNote = {}): Promise<ToolSearchHit[]> {
    this.searchCalls++;
    const hits = await this.tool.search(query, k);
    const results: SearchResult[] = hits.map((h) => ({ docid: h.docid, rank: h.rank, score: h.score, snippet: h.snippet }));
    const at = this.stamp();
    this.emit([...this.reasoningSteps(note.reasoning, at), { type: 'search', query, results, ...(this.tool.indexName ? { index: this.tool.indexName } : {}), ...at }]);
    return hits;
  }

  /**
   * A browse step when the document exists: opening an id the store does not hold showed the agent no
   * page, so it is no browse (no positive to mine); the reasoning sent with the call is still recorded.
   */
  async getDocument(docid: string, note: CallNote = {}): Promise<ToolDocument | null> {
    this.browseCalls++;
    const doc = await this.tool.getDocument(docid);
    const at = this.stamp();
    this.emit([...this.reasoningSteps(note.reasoning, at), ...(doc ? [{ type: 'browse' as const, docid, tool: 'get_document', ...at }] : [])]);
    return doc;
  }

  /** Reasoning between calls; blank text is not a step. */
  reason(text: string): void {
    this.emit(this.reasoningSteps(text, this.stamp()));
  }

  answer(text: string): void {
    this.finalAnswer = text;
    this.emit([{ type: 'answer', text, ...this.stamp() }]);
  }

  /** A call that is neither search nor browse (an unknown tool, bad arguments), kept so the trajectory shows it. */
  other(tool: string, text: string): void {
    this.emit([{ type: 'other', tool, text, ...this.stamp() }]);
  }

  trajectory(fields: { id: string; questionId?: string; question: string; answer?: string | null; agent?: AgentInfo; metadata?: Record<string, unknown> }): Trajectory {
    return {
      id: fields.id,
      questionId: fields.questionId,
      question: fields.question,
      answer: fields.answer ?? null,
      finalAnswer: this.finalAnswer,
      agent: fields.agent,
      metadata: fields.metadata,
      steps: this.steps.slice(),
    };
  }

  private reasoningSteps(text: string | undefined, at: { timestamp?: string }): Step[] {
    return text !== undefined && text.trim() !== '' ? [{ type: 'reasoning', text, ...at }] : [];
  }

  private stamp(): { timestamp?: string } {
    return this.options.now ? { timestamp: this.options.now().toISOString() } : {};
  }

  private emit(steps: Step[]): void {
    if (steps.length === 0) return;
    this.steps.push(...steps);
    this.options.onSteps?.(steps);
  }
}
