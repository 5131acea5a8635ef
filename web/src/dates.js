// dates.js: a date as Arabic readers read it, with the Hijri date beside the Gregorian.

const gregorian = new Intl.DateTimeFormat('ar', { dateStyle: 'long' });
const hijri = new Intl.DateTimeFormat('ar-u-ca-islamic-umalqura', {
    day: 'numeric', month: 'long', year: 'numeric',
});
const time = new Intl.DateTimeFormat('ar', { hour: 'numeric', minute: '2-digit' });

/** @param {string} iso */
export const gregorianDate = (iso) => gregorian.format(new Date(iso));
/** @param {string} iso */
export const hijriDate = (iso) => hijri.format(new Date(iso));
/** @param {string} iso */
export const clockTime = (iso) => time.format(new Date(iso));
