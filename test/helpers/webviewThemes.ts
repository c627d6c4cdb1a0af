/**
 * A realistic subset of the --vscode-* variables VS Code gives webviews, from
 * the Default Dark Modern, Default Light Modern and Default High Contrast
 * themes: the ones the webview and @vscode-elements read.
 */
const FONT = {
  '--vscode-font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-editor-font-family': '"DejaVu Sans Mono", "Droid Sans Mono", monospace',
  '--vscode-editor-font-size': '13px',
  '--vscode-editor-font-weight': 'normal',
};

export interface Theme {
  name: string;
  kind: 'vscode-dark' | 'vscode-light' | 'vscode-high-contrast';
  vars: Record<string, string>;
}

export const DARK: Theme = {
  name: 'dark', kind: 'vscode-dark', vars: {
    ...FONT,
    '--vscode-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-errorForeground': '#f85149', '--vscode-focusBorder': '#0078d4',
    '--vscode-editor-background': '#1f1f1f', '--vscode-editor-foreground': '#cccccc', '--vscode-sideBar-background': '#181818',
    '--vscode-sideBarSectionHeader-background': '#181818', '--vscode-sideBarSectionHeader-foreground': '#cccccc', '--vscode-panel-background': '#181818',
    '--vscode-panel-border': '#2b2b2b', '--vscode-widget-border': '#313131', '--vscode-widget-shadow': 'rgba(0, 0, 0, 0.36)',
    '--vscode-editorWidget-background': '#202020', '--vscode-editorWidget-border': '#454545',
    '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#026ec1', '--vscode-button-border': 'rgba(255, 255, 255, 0.07)',
    '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc', '--vscode-button-secondaryHoverBackground': '#3c3c3c', '--vscode-button-separator': 'rgba(255, 255, 255, 0.4)',
    '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8',
    '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc', '--vscode-input-border': '#3c3c3c', '--vscode-input-placeholderForeground': '#989898',
    '--vscode-settings-textInputBackground': '#313131', '--vscode-settings-textInputForeground': '#cccccc', '--vscode-settings-textInputBorder': '#3c3c3c',
    '--vscode-settings-dropdownBackground': '#313131', '--vscode-settings-dropdownForeground': '#cccccc', '--vscode-settings-dropdownBorder': '#3c3c3c', '--vscode-settings-dropdownListBorder': '#454545',
    '--vscode-settings-headerBorder': '#2b2b2b', '--vscode-settings-checkboxBackground': '#313131',
    '--vscode-list-hoverBackground': '#2a2d2e', '--vscode-list-activeSelectionBackground': '#04395e', '--vscode-list-activeSelectionForeground': '#ffffff',
    '--vscode-list-inactiveSelectionBackground': '#37373d', '--vscode-list-focusOutline': '#0078d4', '--vscode-list-highlightForeground': '#2aaaff', '--vscode-list-focusHighlightForeground': '#2aaaff',
    '--vscode-editorError-foreground': '#f14c4c', '--vscode-editorWarning-foreground': '#cca700',
    '--vscode-inputValidation-warningBackground': '#352a05', '--vscode-inputValidation-errorBackground': '#5a1d1d', '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-editor-selectionBackground': '#264f78', '--vscode-editor-hoverHighlightBackground': 'rgba(38, 79, 120, 0.25)',
    '--vscode-editorHoverWidget-background': '#202020', '--vscode-editorHoverWidget-border': '#454545', '--vscode-editorHoverWidget-foreground': '#cccccc',
    '--vscode-textLink-foreground': '#4daafc', '--vscode-textBlockQuote-background': '#2b2b2b', '--vscode-textPreformat-foreground': '#d0d0d0',
    '--vscode-charts-blue': '#3794ff', '--vscode-charts-red': '#f14c4c', '--vscode-charts-orange': '#d18616', '--vscode-charts-yellow': '#cca700', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7',
    '--vscode-testing-iconPassed': '#73c991', '--vscode-icon-foreground': '#cccccc', '--vscode-toolbar-hoverBackground': 'rgba(90, 93, 94, 0.31)',
    '--vscode-progressBar-background': '#0078d4', '--vscode-editorLineNumber-foreground': '#6e7681', '--vscode-editorCursor-foreground': '#aeafad',
    '--vscode-panelTitle-activeBorder': '#0078d4', '--vscode-panelTitle-activeForeground': '#cccccc', '--vscode-panelTitle-inactiveForeground': '#9d9d9d',
    '--vscode-sash-hoverBorder': '#0078d4', '--vscode-scrollbar-shadow': '#000000', '--vscode-scrollbarSlider-background': 'rgba(121, 121, 121, 0.4)',
    '--vscode-scrollbarSlider-hoverBackground': 'rgba(100, 100, 100, 0.7)', '--vscode-scrollbarSlider-activeBackground': 'rgba(191, 191, 191, 0.4)',
  },
};

export const LIGHT: Theme = {
  name: 'light', kind: 'vscode-light', vars: {
    ...FONT,
    '--vscode-foreground': '#3b3b3b', '--vscode-descriptionForeground': '#717171', '--vscode-errorForeground': '#f85149', '--vscode-focusBorder': '#005fb8',
    '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#3b3b3b', '--vscode-sideBar-background': '#f8f8f8',
    '--vscode-sideBarSectionHeader-background': '#f8f8f8', '--vscode-sideBarSectionHeader-foreground': '#3b3b3b', '--vscode-panel-background': '#f8f8f8',
    '--vscode-panel-border': '#e5e5e5', '--vscode-widget-border': '#e5e5e5', '--vscode-widget-shadow': 'rgba(0, 0, 0, 0.16)',
    '--vscode-editorWidget-background': '#f8f8f8', '--vscode-editorWidget-border': '#c8c8c8',
    '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#0258a8', '--vscode-button-border': 'rgba(0, 0, 0, 0.1)',
    '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-button-secondaryHoverBackground': '#cccccc', '--vscode-button-separator': 'rgba(255, 255, 255, 0.4)',
    '--vscode-badge-background': '#cccccc', '--vscode-badge-foreground': '#3b3b3b',
    '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b', '--vscode-input-border': '#cecece', '--vscode-input-placeholderForeground': '#767676',
    '--vscode-settings-textInputBackground': '#ffffff', '--vscode-settings-textInputForeground': '#3b3b3b', '--vscode-settings-textInputBorder': '#cecece',
    '--vscode-settings-dropdownBackground': '#ffffff', '--vscode-settings-dropdownForeground': '#3b3b3b', '--vscode-settings-dropdownBorder': '#cecece', '--vscode-settings-dropdownListBorder': '#c8c8c8',
    '--vscode-settings-headerBorder': '#e5e5e5', '--vscode-settings-checkboxBackground': '#f8f8f8',
    '--vscode-list-hoverBackground': '#f2f2f2', '--vscode-list-activeSelectionBackground': '#e8e8e8', '--vscode-list-activeSelectionForeground': '#000000',
    '--vscode-list-inactiveSelectionBackground': '#e4e6f1', '--vscode-list-focusOutline': '#005fb8', '--vscode-list-highlightForeground': '#0066bf', '--vscode-list-focusHighlightForeground': '#0066bf',
    '--vscode-editorError-foreground': '#e51400', '--vscode-editorWarning-foreground': '#bf8803',
    '--vscode-inputValidation-warningBackground': '#f6f5d2', '--vscode-inputValidation-errorBackground': '#f2dede', '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-editor-selectionBackground': '#add6ff', '--vscode-editor-hoverHighlightBackground': 'rgba(173, 214, 255, 0.15)',
    '--vscode-editorHoverWidget-background': '#f8f8f8', '--vscode-editorHoverWidget-border': '#c8c8c8', '--vscode-editorHoverWidget-foreground': '#3b3b3b',
    '--vscode-textLink-foreground': '#005fb8', '--vscode-textBlockQuote-background': '#f8f8f8', '--vscode-textPreformat-foreground': '#3b3b3b',
    '--vscode-charts-blue': '#1a85ff', '--vscode-charts-red': '#e51400', '--vscode-charts-orange': '#d18616', '--vscode-charts-yellow': '#bf8803', '--vscode-charts-green': '#388a34', '--vscode-charts-purple': '#652d90',
    '--vscode-testing-iconPassed': '#388a34', '--vscode-icon-foreground': '#3b3b3b', '--vscode-toolbar-hoverBackground': 'rgba(184, 184, 184, 0.31)',
    '--vscode-progressBar-background': '#005fb8', '--vscode-editorLineNumber-foreground': '#6e7681', '--vscode-editorCursor-foreground': '#000000',
    '--vscode-panelTitle-activeBorder': '#005fb8', '--vscode-panelTitle-activeForeground': '#3b3b3b', '--vscode-panelTitle-inactiveForeground': '#3b3b3b',
    '--vscode-sash-hoverBorder': '#005fb8', '--vscode-scrollbar-shadow': '#dddddd', '--vscode-scrollbarSlider-background': 'rgba(100, 100, 100, 0.4)',
    '--vscode-scrollbarSlider-hoverBackground': 'rgba(100, 100, 100, 0.7)', '--vscode-scrollbarSlider-activeBackground': 'rgba(0, 0, 0, 0.6)',
  },
};

export const HIGH_CONTRAST: Theme = {
  name: 'hc', kind: 'vscode-high-contrast', vars: {
    ...FONT,
    '--vscode-foreground': '#ffffff', '--vscode-descriptionForeground': 'rgba(255, 255, 255, 0.7)', '--vscode-errorForeground': '#f48771', '--vscode-focusBorder': '#f38518',
    '--vscode-contrastBorder': '#6fc3df', '--vscode-contrastActiveBorder': '#f38518',
    '--vscode-editor-background': '#000000', '--vscode-editor-foreground': '#ffffff', '--vscode-sideBar-background': '#000000',
    '--vscode-sideBarSectionHeader-foreground': '#ffffff', '--vscode-sideBarSectionHeader-border': '#6fc3df', '--vscode-panel-background': '#000000',
    '--vscode-panel-border': '#6fc3df', '--vscode-widget-border': '#6fc3df', '--vscode-editorWidget-background': '#0c141f', '--vscode-editorWidget-border': '#6fc3df',
    '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#6fc3df', '--vscode-button-separator': 'rgba(255, 255, 255, 0.4)',
    '--vscode-button-secondaryBackground': '#000000', '--vscode-button-secondaryForeground': '#ffffff',
    '--vscode-badge-background': '#000000', '--vscode-badge-foreground': '#ffffff',
    '--vscode-input-background': '#000000', '--vscode-input-foreground': '#ffffff', '--vscode-input-border': '#6fc3df', '--vscode-input-placeholderForeground': 'rgba(255, 255, 255, 0.7)',
    '--vscode-settings-textInputBackground': '#000000', '--vscode-settings-textInputForeground': '#ffffff', '--vscode-settings-textInputBorder': '#6fc3df',
    '--vscode-settings-dropdownBackground': '#000000', '--vscode-settings-dropdownForeground': '#ffffff', '--vscode-settings-dropdownBorder': '#6fc3df', '--vscode-settings-dropdownListBorder': '#6fc3df',
    '--vscode-settings-headerBorder': '#6fc3df', '--vscode-settings-checkboxBackground': '#000000',
    '--vscode-list-focusOutline': '#f38518', '--vscode-list-highlightForeground': '#f38518', '--vscode-list-focusHighlightForeground': '#f38518',
    '--vscode-editorError-foreground': '#f48771', '--vscode-editorWarning-foreground': '#ffd370',
    '--vscode-inputValidation-warningBackground': '#000000', '--vscode-inputValidation-errorBackground': '#000000', '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-editor-selectionBackground': '#ffffff', '--vscode-editor-selectionForeground': '#000000',
    '--vscode-editorHoverWidget-background': '#0c141f', '--vscode-editorHoverWidget-border': '#6fc3df', '--vscode-editorHoverWidget-foreground': '#ffffff',
    '--vscode-textLink-foreground': '#21a6ff', '--vscode-textBlockQuote-background': '#000000', '--vscode-textPreformat-foreground': '#ffffff',
    '--vscode-charts-blue': '#3794ff', '--vscode-charts-red': '#f48771', '--vscode-charts-orange': '#f38518', '--vscode-charts-yellow': '#ffd370', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7',
    '--vscode-testing-iconPassed': '#73c991', '--vscode-icon-foreground': '#ffffff', '--vscode-progressBar-background': '#6fc3df',
    '--vscode-editorLineNumber-foreground': '#ffffff', '--vscode-editorCursor-foreground': '#ffffff',
    '--vscode-panelTitle-activeBorder': '#6fc3df', '--vscode-panelTitle-activeForeground': '#ffffff', '--vscode-panelTitle-inactiveForeground': '#ffffff',
    '--vscode-sash-hoverBorder': '#f38518', '--vscode-scrollbarSlider-background': 'rgba(111, 195, 223, 0.6)',
    '--vscode-scrollbarSlider-hoverBackground': 'rgba(111, 195, 223, 0.8)', '--vscode-scrollbarSlider-activeBackground': '#6fc3df',
  },
};
