/**
 * The network editor: a table with one row per layer, number inputs for the settings the study
 * varies, and each layer's output shape and parameter count, updated on every keystroke.
 */
import type { ConvSpec, NetConfig, PoolSpec } from '../../mnist-cnn/src/network.js';
import { fits, layerRows } from './layer-rows.js';

type LayerKey = keyof NetConfig;

/** The inputs of each editable layer: conv layers 4, pools 2. */
const FIELDS: Record<LayerKey, readonly (keyof ConvSpec | keyof PoolSpec)[]> = {
  conv1: ['outChannels', 'kernel', 'stride', 'padding'],
  pool1: ['kernel', 'stride'],
  conv2: ['outChannels', 'kernel', 'stride', 'padding'],
  pool2: ['kernel', 'stride'],
};

const isLayerKey = (name: string): name is LayerKey => Object.hasOwn(FIELDS, name);

const LABELS: Record<string, string> = { outChannels: 'channels', kernel: 'kernel', stride: 'stride', padding: 'padding' };

export class NetworkForm {
  private readonly inputs = new Map<string, HTMLInputElement>();
  private readonly shapeCells = new Map<string, HTMLTableCellElement>();
  private readonly paramCells = new Map<string, HTMLTableCellElement>();
  private readonly total: HTMLTableCellElement;

  /**
   * Builds the table in `container`; `onEdit` runs after every edit with whether the network fits.
   *
   * @example
   * const form = new NetworkForm(div, errorLine, (ok) => (applyButton.disabled = !ok));
   * form.set(TABLE3);
   */
  constructor(
    container: HTMLElement,
    private readonly errorLine: HTMLElement,
    private readonly onEdit: (fits: boolean) => void,
  ) {
    const table = document.createElement('table');
    table.className = 'layers';
    table.innerHTML = '<thead><tr><th scope="col">Layer</th><th scope="col">Settings</th><th scope="col">Output shape</th><th scope="col">Parameters</th></tr></thead>';
    const body = table.createTBody();
    for (const row of layerRows({
      conv1: { outChannels: 1, kernel: 1, stride: 1, padding: 0 },
      pool1: { kernel: 1, stride: 1 },
      conv2: { outChannels: 1, kernel: 1, stride: 1, padding: 0 },
      pool2: { kernel: 1, stride: 1 },
    })) {
      const tr = body.insertRow();
      tr.id = `layer-${row.name}`;
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = row.name;
      tr.append(name);
      const settings = tr.insertCell();
      const fields = isLayerKey(row.name) ? FIELDS[row.name] : [];
      for (const field of fields) {
        const label = document.createElement('label');
        const input = document.createElement('input');
        input.type = 'number';
        input.min = field === 'padding' ? '0' : '1';
        input.step = '1';
        input.id = `${row.name}-${field}`;
        input.addEventListener('input', () => this.update());
        label.append(`${LABELS[field]} `, input);
        settings.append(label);
        this.inputs.set(input.id, input);
      }
      if (fields.length === 0) settings.textContent = row.name === 'fc' ? '10 classes' : '';
      this.shapeCells.set(row.name, tr.insertCell());
      const params = tr.insertCell();
      params.className = 'num';
      this.paramCells.set(row.name, params);
    }
    const foot = table.createTFoot().insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.colSpan = 3;
    th.textContent = 'Total';
    foot.append(th);
    this.total = foot.insertCell();
    this.total.className = 'num';
    container.replaceChildren(table);
  }

  /**
   * Puts `net`'s settings in the inputs.
   *
   * @example
   * form.set(TABLE1);
   */
  set(net: NetConfig): void {
    for (const [layer, spec] of Object.entries(net)) {
      for (const [field, value] of Object.entries(spec)) {
        const input = this.inputs.get(`${layer}-${field}`);
        if (input !== undefined) input.value = String(value);
      }
    }
    this.update();
  }

  /**
   * The settings in the inputs (a field that is not a number reads as NaN, and the table says so).
   *
   * @example
   * form.get().conv1.outChannels; // 32 after form.set(TABLE3)
   */
  get(): NetConfig {
    const v = (layer: LayerKey, field: string): number => {
      const text = this.inputs.get(`${layer}-${field}`)?.value ?? '';
      return text.trim() === '' ? NaN : Number(text);
    };
    const conv = (layer: LayerKey): ConvSpec => ({
      outChannels: v(layer, 'outChannels'),
      kernel: v(layer, 'kernel'),
      stride: v(layer, 'stride'),
      padding: v(layer, 'padding'),
    });
    const pool = (layer: LayerKey): PoolSpec => ({ kernel: v(layer, 'kernel'), stride: v(layer, 'stride') });
    return { conv1: conv('conv1'), pool1: pool('pool1'), conv2: conv('conv2'), pool2: pool('pool2') };
  }

  private update(): void {
    const rows = layerRows(this.get());
    const firstError = rows.find((r) => r.error !== undefined);
    for (const row of rows) {
      const shape = this.shapeCells.get(row.name);
      const params = this.paramCells.get(row.name);
      if (shape === undefined || params === undefined) continue;
      shape.textContent = row.error !== undefined ? `does not fit: ${row.error}` : row.outputShape ? `[${row.outputShape.join(', ')}]` : '-';
      shape.classList.toggle('error', row.error !== undefined);
      params.textContent = row.outputShape ? row.params.toLocaleString('en-US') : '-';
      shape.parentElement?.classList.toggle('bad', row.error !== undefined);
    }
    const ok = fits(rows);
    this.total.textContent = ok ? rows.reduce((s, r) => s + r.params, 0).toLocaleString('en-US') : '-';
    this.errorLine.textContent = firstError ? `${firstError.name}: ${firstError.error}` : '';
    this.onEdit(ok);
  }
}
