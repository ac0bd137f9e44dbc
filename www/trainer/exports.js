// @ts-check
// What the Trainer tab exports: the loss and accuracy charts (titled with the run's settings),
// the epochs and the data preview.

import { $ } from '../lib/dom.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('../export/menu.js').Exportable} Exportable */

/**
 * @param {TrainerView} view
 * @returns {Exportable[]}
 */
export function trainerExportables(view) {
  const settings = () => {
    const r = view.settings;
    return r ? ` — embedding ${r.train.embed}, hidden ${r.train.hidden}, batch ${r.train.batch}, lr ${r.train.lr}` : '';
  };
  const epochs = $('trainer-epochs-table');
  return [
    {
      id: 'trainer-loss',
      what: 'the loss chart',
      at: $('trainer-chart-loss'),
      title: () => `Trainer: ${$('trainer-loss-title').textContent.toLowerCase()}${settings()}`,
      chart: () => view.lossChart,
    },
    {
      id: 'trainer-accuracy',
      what: 'the accuracy chart',
      at: $('trainer-chart-acc'),
      title: () => `Trainer: accuracy${settings()}`,
      chart: () => view.accChart,
    },
    {
      id: 'trainer-epochs',
      what: 'the table of epochs',
      at: epochs,
      follow: epochs,
      csv: () => ({
        header: [
          'epoch',
          'best',
          'train_loss',
          'train_accuracy',
          'valid_loss',
          'valid_accuracy',
          'valid_macro_f1',
          'seconds',
        ],
        rows: (view.run?.epochs ?? []).map((r, k) => [
          r.epoch,
          r.is_best ? 1 : 0,
          r.train_loss,
          r.train_accuracy,
          r.valid_loss,
          r.valid_accuracy,
          r.valid_macro_f1 ?? '',
          view.run.epochMs[k] / 1000,
        ]),
      }),
    },
    {
      id: 'trainer-preview',
      what: 'the data preview',
      at: $('trainer-preview-table'),
      csv: () => {
        const p = view.preview;
        return {
          header: ['line', p.text_column, p.label_column],
          rows: p.sample.map((r) => [r.line, r.text, r.label]),
        };
      },
    },
  ];
}
